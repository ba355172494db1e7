package crm

import (
	"crypto/rand"
	"encoding/base64"

	"golang.org/x/crypto/bcrypt"
)

// DefaultPasswordCost is bcrypt's cost for stored passwords.
const DefaultPasswordCost = 12

func (s *Service) hashPassword(pw string) (string, error) {
	cost := s.PasswordCost
	if cost == 0 {
		cost = DefaultPasswordCost
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), cost)
	return string(h), err
}

func checkPassword(hash, pw string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// RandomSecret returns n random bytes, URL-safe base64 encoded: tokens and
// generated passwords.
func RandomSecret(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

package crm

import "testing"

func TestValidCreditCode(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"91330100716105852F", true},
		{"9144030071526726XG", true},
		{"91330100716105852A", false}, // wrong check character
		{"9133010071610585", false},   // too short
		{"91330100716105852FF", false},
		{"91330100716I05852F", false}, // I is not in the alphabet
		{"", false},
	}
	for _, tt := range tests {
		if got := ValidCreditCode(tt.code); got != tt.want {
			t.Errorf("ValidCreditCode(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

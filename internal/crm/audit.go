package crm

import (
	"context"
	"time"
)

// AuditEntry records who changed what and why: stage moves, overrides,
// approvals and deletions (DESIGN.md, Audit log). The store writes it in the
// same transaction as the change it describes.
type AuditEntry struct {
	ID         int64     `json:"id"`
	ActorID    int64     `json:"actor_id"`
	EntityType string    `json:"entity_type"`
	EntityID   int64     `json:"entity_id"`
	Action     string    `json:"action"`
	Before     string    `json:"before,omitempty"`
	After      string    `json:"after,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
}

// AuditStore reads the audit log.
type AuditStore interface {
	AuditFor(ctx context.Context, entityType string, entityID int64) ([]*AuditEntry, error)
}

// SettingStore keeps small facts about the installation.
type SettingStore interface {
	// Setting returns the value of a setting, "" when it was never set.
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
}

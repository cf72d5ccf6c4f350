package issuer

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/chipmint/chipmint/internal/txn"
)

// Approvals records which large orders a person approved for issue: one file per
// order in a folder, so that an approval survives restarts and can be given while the
// service is down.
type Approvals struct{ dir string }

// OpenApprovals opens (creating) the approvals folder.
func OpenApprovals(dir string) (*Approvals, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("issuer: approvals: %w", err)
	}
	return &Approvals{dir: dir}, nil
}

// Approve records that approver approved orderID, which txn.ParseOrderID reads; the
// file is named by the canonical id. An error wraps txn.ErrNotOrderID if orderID is
// no order's.
func (a *Approvals) Approve(orderID, approver string) error {
	id, err := txn.ParseOrderID(orderID)
	if err != nil {
		return fmt.Errorf("issuer: approve: %w", err)
	}
	line := fmt.Sprintf("approved by %s at %s\n", approver, time.Now().UTC().Format(time.RFC3339))
	if err := os.WriteFile(filepath.Join(a.dir, id), []byte(line), 0o600); err != nil {
		return fmt.Errorf("issuer: approve %s: %w", id, err)
	}
	return nil
}

// Approved reports whether orderID, read by txn.ParseOrderID, was approved.
func (a *Approvals) Approved(orderID string) bool {
	id, err := txn.ParseOrderID(orderID)
	if err != nil {
		return false
	}
	_, err = os.Stat(filepath.Join(a.dir, id))
	return err == nil
}

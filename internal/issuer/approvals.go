package issuer

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// ErrBadOrderID is an approval for something that is not an order id.
var ErrBadOrderID = errors.New("issuer: not an order id")

var orderIDPattern = regexp.MustCompile(`^[0-9A-F]{20}$`)

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

// Approve records that approver approved orderID.
func (a *Approvals) Approve(orderID, approver string) error {
	if !orderIDPattern.MatchString(orderID) {
		return fmt.Errorf("%w: %q", ErrBadOrderID, orderID)
	}
	line := fmt.Sprintf("approved by %s at %s\n", approver, time.Now().UTC().Format(time.RFC3339))
	if err := os.WriteFile(filepath.Join(a.dir, orderID), []byte(line), 0o600); err != nil {
		return fmt.Errorf("issuer: approve %s: %w", orderID, err)
	}
	return nil
}

// Approved reports whether orderID was approved.
func (a *Approvals) Approved(orderID string) bool {
	if !orderIDPattern.MatchString(orderID) {
		return false
	}
	_, err := os.Stat(filepath.Join(a.dir, orderID))
	return err == nil
}

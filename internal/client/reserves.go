package client

import (
	"context"
	"encoding/hex"

	"github.com/chipmint/chipmint/internal/query"
	"github.com/chipmint/chipmint/internal/txn"
)

// Auditors lists the chain's auditors, by address, reading every page.
func (c *Client) Auditors(ctx context.Context) ([]txn.Auditor, error) {
	return listAll[txn.Auditor](ctx, c, query.PathAuditors)
}

// Reserves reads one page of an operator's attestations of its reserves, newest first:
// at most req.Limit (0: the most a page holds), attested before the height req.After
// ("" for the newest; a page's Next for the page after it). An unknown operator is
// ErrNotFound.
func (c *Client) Reserves(ctx context.Context, operator string, req query.PageRequest) (query.Page[txn.ReservesAttestation], error) {
	return listPage[txn.ReservesAttestation](ctx, c, query.PathReserves+operator, req)
}

// ReservesByDigest reads the attestations of the reserves report of digest, its
// SHA-256: one for each operator it names, by operator id. A report never attested is
// ErrNotFound.
func (c *Client) ReservesByDigest(ctx context.Context, digest []byte) ([]txn.ReservesAttestation, error) {
	var atts []txn.ReservesAttestation
	return atts, c.query(ctx, query.PathReservesByDigest, hex.EncodeToString(digest), &atts)
}

package client

import (
	"context"
	"fmt"
	"strings"
)

// CommitSigners lists the validators whose signatures the commit of a block holds, by
// their CometBFT addresses in upper-case hexadecimal: the validators that signed it.
func (c *Client) CommitSigners(ctx context.Context, height int64) ([]string, error) {
	res, err := c.rpc.Commit(ctx, &height)
	if err != nil {
		return nil, fmt.Errorf("client: commit %d: %w", height, err)
	}
	var out []string
	for _, s := range res.Commit.Signatures {
		if len(s.ValidatorAddress) > 0 && len(s.Signature) > 0 {
			out = append(out, strings.ToUpper(s.ValidatorAddress.String()))
		}
	}
	return out, nil
}

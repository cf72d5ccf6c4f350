package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/txn"
)

// NewCmdCodes is `chipmint codes`: the result codes a transaction can get.
func NewCmdCodes(g *Globals) *cobra.Command {
	return &cobra.Command{
		Use:   "codes",
		Short: "List the transaction result codes and what they mean",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			type row struct {
				Code    uint32 `json:"code"`
				Name    string `json:"name"`
				Meaning string `json:"meaning"`
			}
			var rows []row
			for _, c := range txn.Codes() {
				rows = append(rows, row{uint32(c), c.String(), c.Meaning()})
			}
			g.emit(rows, func(w io.Writer) {
				for _, r := range rows {
					fmt.Fprintf(w, "%3d  %-27s %s\n", r.Code, r.Name, r.Meaning)
				}
			})
			return nil
		},
	}
}

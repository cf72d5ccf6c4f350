package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/chipmint/chipmint/internal/txn"
)

// NewCmdAuditor is `chipmint auditor`: the auditors, who attest the reserves, listed,
// added and removed by the issuers (docs/decisions/0037-auditors-and-attestations.md).
func NewCmdAuditor(g *Globals) *cobra.Command {
	cmd := &cobra.Command{Use: "auditor", Short: "List the auditors, who attest the reserves; add or remove one (a controlled action of the issuers)"}
	list := &cobra.Command{
		Use: "list", Short: "List the auditors: id and address", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			c, err := g.dial(ctx)
			if err != nil {
				return err
			}
			auditors, err := c.Auditors(ctx)
			if err != nil {
				return err
			}
			if auditors == nil {
				auditors = []txn.Auditor{}
			}
			g.emit(auditors, func(w io.Writer) {
				if len(auditors) == 0 {
					fmt.Fprintln(w, "no auditors")
				}
				for _, au := range auditors {
					fmt.Fprintf(w, "%s  %s\n", au.Address, au.ID)
				}
			})
			return nil
		},
	}
	cmd.AddCommand(list, newCmdAuditorAdd(g), newCmdAuditorRemove(g))
	return cmd
}

func newCmdAuditorAdd(g *Globals) *cobra.Command {
	var f signedFlags
	var keyName, publicKey string
	cmd := &cobra.Command{
		Use:     "add ID",
		Short:   "Make a key an auditor's, named ID (a controlled action)",
		Args:    argOrResume("ID"),
		PreRunE: resumeAloneRun("key", "public-key"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			tx, res, c, err := g.controlledOrResumed(ctx, "auditor add", f, func() (txn.Msg, error) {
				keys := OperatorRegisterOptions{KeyName: keyName, PublicKey: publicKey}
				pub, err := keys.publicKey(g, "--key")
				if err != nil {
					return nil, err
				}
				return txn.NewAddAuditor(args[0], pub), nil
			})
			if err != nil {
				return err
			}
			if id, ok := proposed(tx); ok {
				return g.emitProposed(ctx, c, id, res)
			}
			m := tx.Msg.(*txn.AddAuditor)
			g.emit(map[string]any{"auditor": m, "committed": res}, func(w io.Writer) {
				fmt.Fprintf(w, "auditor %s added (height %d): %s\n", m.ID, res.Height, m.Address)
			})
			return nil
		},
	}
	f.add(cmd, "issuer", "addition", "this transaction hash")
	cmd.Flags().StringVar(&keyName, "key", "", "the new auditor's key, by name in this keystore or as a pkcs11: URI")
	cmd.Flags().StringVar(&publicKey, "public-key", "", "the new auditor's ed25519 public key in base64 (instead of --key)")
	return cmd
}

func newCmdAuditorRemove(g *Globals) *cobra.Command {
	var f signedFlags
	cmd := &cobra.Command{
		Use:     "remove ADDRESS",
		Short:   "Take an auditor's role from its key (a chip1 address or a key name); its attestations stay (a controlled action)",
		Args:    argOrResume("ADDRESS"),
		PreRunE: resumeAloneRun(),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			tx, res, c, err := g.controlledOrResumed(ctx, "auditor remove", f, func() (txn.Msg, error) {
				addr, err := g.resolveAddress(args[0])
				if err != nil {
					return nil, usageError{fmt.Errorf("ADDRESS: %w", err)}
				}
				return &txn.RemoveAuditor{Address: addr}, nil
			})
			if err != nil {
				return err
			}
			if id, ok := proposed(tx); ok {
				return g.emitProposed(ctx, c, id, res)
			}
			addr := tx.Msg.(*txn.RemoveAuditor).Address
			g.emit(map[string]any{"removed": addr, "committed": res}, func(w io.Writer) {
				fmt.Fprintf(w, "auditor %s removed (height %d)\n", addr, res.Height)
			})
			return nil
		},
	}
	f.add(cmd, "issuer", "removal", "this transaction hash")
	return cmd
}

package reserves

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/chipmint/chipmint/internal/camt"
	"github.com/chipmint/chipmint/internal/client"
	"github.com/chipmint/chipmint/internal/crypto"
	"github.com/chipmint/chipmint/internal/txn"
)

// Attestation is the chain's record of a sealed report: its digest, its height, the end
// of its statements and each operator's figures, the number of findings standing for
// what was unexplained.
func Attestation(r Report, digest [32]byte) (*txn.AttestReserves, error) {
	if n := len(r.Operators); n == 0 || n > txn.ReservesOperatorsMax {
		return nil, fmt.Errorf("reserves: a report of %d operators: an attestation names 1 to %d", n, txn.ReservesOperatorsMax)
	}
	m := &txn.AttestReserves{ReportDigest: digest[:], ReportHeight: r.Height, StatementEnd: r.StatementEnd}
	for _, op := range r.Operators {
		m.Operators = append(m.Operators, txn.OperatorReserves{
			Operator: op.Operator, Currency: op.Currency, BalanceMinor: op.ClosingMinor, LiabilitiesMinor: op.LiabilitiesMinor,
			OutstandingChips: op.OutstandingChips, Unexplained: uint64(len(op.Findings)), Backed: op.Backed,
		})
	}
	return m, nil
}

// Attested is a report sealed, kept and attested on the chain.
type Attested struct {
	Report Report `json:"report"`
	// File is where the sealed report was written; Digest its digest in hex.
	File   string           `json:"file"`
	Digest string           `json:"digest"`
	Tx     client.Committed `json:"tx"`
	digest []byte
}

// Attest checks the statements against the chain, seals the report with the auditor's
// key, writes it into dir (named by the report's height) and records its attestation
// on the chain. A report that finds chips not backed is attested all the same: the
// chain shows the backing of each operator over time, good or bad.
func Attest(ctx context.Context, c *client.Client, auditor crypto.Signer, statements []camt.Statement, dir string) (Attested, error) {
	r, err := Run(ctx, c, statements)
	if err != nil {
		return Attested{}, err
	}
	a, err := Seal(r, auditor, dir)
	if err != nil {
		return Attested{}, err
	}
	var digest [32]byte
	copy(digest[:], a.digest)
	msg, err := Attestation(r, digest)
	if err != nil {
		return Attested{}, err
	}
	if a.Tx, err = c.Submit(ctx, msg, auditor); err != nil {
		return Attested{}, fmt.Errorf("attest report %s: %w", a.Digest, err)
	}
	return a, nil
}

// Seal signs a report with the auditor's key and writes the sealed report into dir,
// named by the report's height.
func Seal(r Report, auditor crypto.Signer, dir string) (Attested, error) {
	s, err := Sign(r, auditor)
	if err != nil {
		return Attested{}, err
	}
	digest := Digest(s.Report)
	file := filepath.Join(dir, fmt.Sprintf("reserves-%d.json", r.Height))
	if err := writeSigned(file, s); err != nil {
		return Attested{}, err
	}
	return Attested{Report: r, File: file, Digest: hex.EncodeToString(digest[:]), digest: digest[:]}, nil
}

// writeSigned writes a sealed report to path, creating its folder.
func writeSigned(path string, s Signed) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("reserves: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("reserves: %w", err)
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// AuditorConfig sets up the auditor's daily round.
type AuditorConfig struct {
	Client *client.Client
	Bank   Bank
	Key    crypto.Signer
	// Dir keeps the sealed reports.
	Dir string
	// Every is the auditor's day: the time between two rounds.
	Every time.Duration
	// Grace is how long a round waits between reading the statements and reading the
	// chain, so that the entries booked just before the statements' end reach the
	// chain (as records after its height, in transit) instead of standing unexplained.
	Grace  time.Duration
	Logger *slog.Logger
}

// RunAuditor checks, seals and attests the reserves once every day of the config, from
// the bank's statements of yesterday and today (UTC), until ctx is done. A round
// that fails is logged and tried again the next day.
func RunAuditor(ctx context.Context, cfg AuditorConfig) error {
	tick := time.NewTicker(cfg.Every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		a, err := AttestToday(ctx, cfg)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			cfg.Logger.Warn("reserves check failed", "err", err)
		case a.Report.Backed:
			cfg.Logger.Info("reserves backed", "height", a.Report.Height, "report", a.File, "attested", a.Tx.Height)
		default:
			cfg.Logger.Warn("reserves NOT backed", "height", a.Report.Height, "report", a.File, "attested", a.Tx.Height)
		}
	}
}

// AttestToday is one round of the auditor: the bank's statements of yesterday and
// today, checked, sealed and attested.
func AttestToday(ctx context.Context, cfg AuditorConfig) (Attested, error) {
	stmts, err := BankStatements(ctx, cfg.Client, cfg.Bank, RecentDates(time.Now()))
	if err != nil {
		return Attested{}, err
	}
	select {
	case <-ctx.Done():
		return Attested{}, ctx.Err()
	case <-time.After(cfg.Grace):
	}
	return Attest(ctx, cfg.Client, cfg.Key, stmts, cfg.Dir)
}

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/node"
	"github.com/chipmint/chipmint/internal/txn"
)

func run(t *testing.T, args ...string) (string, string, ExitCode) {
	t.Helper()
	var out, errOut bytes.Buffer
	g := &Globals{Out: &out, Err: &errOut}
	defer g.closeKeys()
	cmd := NewCmdRoot(g)
	cmd.SetArgs(args)
	code := ExitOK
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		code = g.report(err)
	}
	return out.String(), errOut.String(), code
}

func TestDemoRunsBothVariants(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	out, errOut, code := run(t, "demo", "--output", "json", "--keep")
	if code != ExitOK {
		t.Fatalf("demo exit %d: %s %s", code, out, errOut)
	}
	var res struct {
		OK    bool   `json:"ok"`
		Home  string `json:"home"`
		Steps []struct {
			Step   string `json:"step"`
			Height int64  `json:"height"`
		} `json:"steps"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	joined := ""
	for _, s := range res.Steps {
		joined += s.Step + "\n"
	}
	for _, want := range []string{"order issued (variant A", "order issued (variant B", "exception to refund, no chips", "records it on the chain: order reversed, acme short 20.00 CHIP",
		"the debit is booked and 25.00 CHIP burned", "acme's gateway records the refund on the chain", "cancels before paying: order",
		"refunds the 45.00 EUR surplus", "refunds the late payment by itself", "invariants hold",
		"records it on the chain: shortfall 0.00 CHIP, covered 20.00 CHIP", "auditor: acme's statement", "auditor: bravo's statement",
		"every chip is backed and every bank entry explained"} {
		if !strings.Contains(joined, want) {
			t.Errorf("demo output lacks %q:\n%s", want, joined)
		}
	}
	if !res.OK {
		t.Fatal("demo reports failure")
	}
	t.Cleanup(func() { os.RemoveAll(res.Home) })
	noPayerAccountOnChain(t, filepath.Join(res.Home, "node"))
}

// ibanCandidate finds where an IBAN in electronic form may start in raw bytes.
var ibanCandidate = regexp.MustCompile(`[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}`)

// noPayerAccountOnChain reads every transaction of every block of a stopped node's
// home and fails on any IBAN in them but an operator's, whose account buyers pay into:
// a payer's or a payee's account stands on the chain only as a salted commitment.
func noPayerAccountOnChain(t *testing.T, home string) {
	t.Helper()
	operators := map[string]bool{}
	var txs [][]byte
	var heights []int64
	err := node.EachBlockTx(home, func(height int64, tx []byte) error {
		s, err := txn.Parse(tx)
		if err != nil {
			return fmt.Errorf("block %d: %w", height, err)
		}
		switch m := s.Msg.(type) {
		case *txn.RegisterOperator:
			operators[m.Account.IBAN] = true
		case *txn.RegisterOperatorAccount:
			operators[m.Account.IBAN] = true
		}
		txs, heights = append(txs, tx), append(heights, height)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(operators) != 2 || len(txs) < 20 {
		t.Fatalf("the demo's blocks hold %d transactions and %d operators' accounts", len(txs), len(operators))
	}
	for i, tx := range txs {
		for _, loc := range ibanCandidate.FindAllIndex(tx, -1) {
			for end := loc[0] + 15; end <= loc[1]; end++ {
				iban := string(tx[loc[0]:end])
				if _, err := fiat.ParseIBAN(iban); err == nil && !operators[iban] {
					t.Errorf("block %d holds account %s in clear in a %s", heights[i], iban, txType(tx))
				}
			}
		}
	}
}

func txType(tx []byte) string {
	s, err := txn.Parse(tx)
	if err != nil {
		return "transaction that does not parse"
	}
	return s.Type.String()
}

func TestBadInputNamesTheField(t *testing.T) {
	t.Setenv("CHIPMINT_PASSPHRASE", "x")
	home := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
		code ExitCode
	}{
		{"bad output format", []string{"codes", "--output", "yaml"}, "--output", ExitUsage},
		{"unknown flag", []string{"buy", "--amonut", "1"}, "unknown flag", ExitUsage},
		{"bad IBAN", []string{"operator", "register", "--id", "acme", "--public-key", "O/Xn1V99d0sKOLkomJFK9DKmk77HmtVGkt1XCdGXo74=", "--iban", "DE88370400440532013000", "--bic", "COBADEFFXXX", "--holder", "A", "--cap", "1"}, "--iban", ExitUsage},
		{"bad BIC", []string{"operator", "register", "--id", "acme", "--public-key", "O/Xn1V99d0sKOLkomJFK9DKmk77HmtVGkt1XCdGXo74=", "--iban", "DE89370400440532013000", "--bic", "COBA", "--holder", "A", "--cap", "1"}, "--bic", ExitUsage},
		{"bad rate", []string{"operator", "register", "--id", "acme", "--public-key", "O/Xn1V99d0sKOLkomJFK9DKmk77HmtVGkt1XCdGXo74=", "--iban", "DE89370400440532013000", "--bic", "COBADEFFXXX", "--holder", "A", "--rate", "-1", "--cap", "1"}, "--rate", ExitUsage},
		{"missing operator key", []string{"operator", "register", "--id", "acme", "--iban", "DE89370400440532013000", "--bic", "COBADEFFXXX", "--holder", "A", "--cap", "1"}, "--operator-key", ExitUsage},
		{"bad chip amount", []string{"send", "--to", "chip1x36slx9at870e9rd53d2405n80s4ff94avyse6", "--amount", "1.0000001", "--from", "k"}, "--amount", ExitUsage},
		{"unknown recipient", []string{"send", "--to", "nobody", "--amount", "1", "--from", "k"}, "--to", ExitUsage},
		{"no signing key", []string{"buy", "--operator", "acme", "--amount", "1"}, "--from", ExitUsage},
		{"a PIN in a token key's URI", []string{"send", "--to", "chip1x36slx9at870e9rd53d2405n80s4ff94avyse6", "--amount", "1", "--from", "pkcs11:token=chipmint;object=acme?module-path=/m.so&pin-value=1234"}, "--from: hsm: bad PKCS#11 URI: pin-value is refused", ExitUsage},
		{"join without peers", []string{"join", "--genesis", "genesis.json"}, "--peers", ExitUsage},
		{"join without a genesis file", []string{"join", "--genesis", "/nonexistent/genesis.json", "--peers", "0123456789abcdef0123456789abcdef01234567@127.0.0.1:26656"}, "--genesis", ExitError},
		{"missing receipt file", []string{"receipt", "submit", "--in", "/nonexistent/file.json"}, "--in", ExitError},
		{"bad order to show", []string{"order", "show", "0123"}, "ORDER: not an order id", ExitUsage},
		{"order reference mistyped", []string{"confirm", "--order", "RF44031AE4EB3AE3C9739AD7", "--amount", "1", "--bank-ref", "R"}, "--order: not an order id", ExitUsage},
		{"bad order to issue", []string{"issue", "--order", "x"}, "--order: not an order id", ExitUsage},
		{"bad order for a receipt", []string{"receipt", "create", "--order", "x", "--amount", "1", "--bank-ref", "R", "--payer-iban", "GB82WEST12345698765432"}, "--order: not an order id", ExitUsage},
		{"bad proposal to approve", []string{"issuer", "approve", "--from", "issuer", "../x"}, "PROPOSAL: proposal id", ExitUsage},
		{"bad proposal to show", []string{"issuer", "proposal", "show", "x"}, "ID: proposal id", ExitUsage},
		{"unknown operation to pause", []string{"pause", "--from", "issuer", "--reason", "r", "mint"}, `OPERATION: "mint" is not one of`, ExitUsage},
		{"bad validator key", []string{"validator", "add", "--from", "issuer", "--pubkey", "abc", "--power", "1"}, "--pubkey: want an Ed25519 key", ExitUsage},
		{"validator key twice", []string{"validator", "add", "--from", "issuer", "--pubkey", "O/Xn1V99d0sKOLkomJFK9DKmk77HmtVGkt1XCdGXo74=", "--node-home", home, "--power", "1"}, "give one, not both", ExitUsage},
		{"no validator key", []string{"validator", "remove", "--from", "issuer"}, "--pubkey or --node-home", ExitUsage},
		{"a node home without a key file", []string{"validator", "add", "--from", "issuer", "--node-home", home, "--power", "1"}, "--node-home: node: no validator key", ExitUsage},
		{"a validator added without power", []string{"validator", "add", "--from", "issuer", "--pubkey", "O/Xn1V99d0sKOLkomJFK9DKmk77HmtVGkt1XCdGXo74=", "--power", "0"}, "--power: must be positive", ExitUsage},
		{"no threshold", []string{"issuer", "threshold", "--from", "issuer", "0"}, "THRESHOLD: want a number of issuers", ExitUsage},
		{"reserves without statements", []string{"reserves"}, "--statement FILE (repeatable) or --bank URL", ExitUsage},
		{"reserves of files by date", []string{"reserves", "--statement", "s.xml", "--date", "2026-12-01"}, "--date picks the statements of --bank", ExitUsage},
		{"reserves attested unsigned", []string{"reserves", "--bank", "http://127.0.0.1:1", "--attest"}, "--attest and --dir need --sign", ExitUsage},
		{"reserves of a missing file", []string{"reserves", "--statement", "/nonexistent/s.xml"}, "--statement", ExitError},
		{"reserves of a notification", []string{"reserves", "--statement", "../camt/testdata/genkgo-camt054.v8.xml"}, "--statement ../camt/testdata/genkgo-camt054.v8.xml: a camt.054 document", ExitUsage},
		{"reserves of a broken file", []string{"reserves", "--statement", "../camt/testdata/chipmint-truncated.xml"}, "--statement ../camt/testdata/chipmint-truncated.xml: ", ExitUsage},
		{"a report to verify missing", []string{"reserves", "verify", "/nonexistent/report.json"}, "FILE", ExitError},
		{"a report verified by a bad address", []string{"reserves", "verify", "--auditor", "chip1nope", "/nonexistent/report.json"}, `--auditor "chip1nope"`, ExitUsage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := run(t, append([]string{"--home", home}, tc.args...)...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d naming %q", code, errOut, tc.code, tc.want)
			}
		})
	}
}

func TestCodesListsEveryCode(t *testing.T) {
	out, _, code := run(t, "codes", "--output", "json")
	var rows []struct {
		Code uint32 `json:"code"`
		Name string `json:"name"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil || code != ExitOK {
		t.Fatalf("exit %d: %v", code, err)
	}
	if len(rows) < 29 || rows[20].Name != "bank_reference_used" {
		t.Fatalf("codes: %+v", rows)
	}
	codes := txn.Codes()
	if newest, last := codes[len(codes)-1], rows[len(rows)-1]; len(rows) != len(codes) || last.Code != uint32(newest) || last.Name != newest.String() {
		t.Fatalf("codes list %d, ending with %+v; the chain has %d, the newest %d %s", len(rows), last, len(codes), newest, newest)
	}
}

// One rule for exit codes: 2 for usage, found before anything is signed and never
// reported as a rejection; 3 for a rejected transaction; 1 for anything else.
func TestExitCodesOneRule(t *testing.T) {
	t.Setenv("CHIPMINT_PASSPHRASE", "x")
	home := t.TempDir()
	register := []string{"operator", "register", "--from", "issuer", "--public-key", "O/Xn1V99d0sKOLkomJFK9DKmk77HmtVGkt1XCdGXo74=",
		"--iban", "DE89370400440532013000", "--bic", "COBADEFFXXX", "--holder", "Acme"}
	tests := []struct {
		name    string
		args    []string
		want    string
		notWant string
		code    ExitCode
	}{
		{"a missing required flag is named", register, "--cap and --id are required", "rejected", ExitUsage},
		{"one missing required flag", append(register, "--id", "acme"), "--cap is required", "rejected", ExitUsage},
		{"a missing argument", []string{"order", "show"}, "accepts 1 arg", "", ExitUsage},
		{"an argument too many", []string{"supply", "extra"}, "unknown command", "", ExitUsage},
		{"an unknown command", []string{"frobnicate"}, "unknown command", "", ExitUsage},
		{"a local check is not a rejection", append(register, "--id", "Acme!", "--cap", "1"), "id", "rejected", ExitUsage},
		{"an unreachable node", []string{"supply", "--node", "127.0.0.1:1"}, "connection refused", "", ExitError},
		{"an unknown signing key", []string{"buy", "--from", "nobody", "--operator", "acme", "--amount", "1"}, `--from: no key "nobody"`, "", ExitUsage},
		{"an unknown key to send from", []string{"send", "--from", "nobody", "--to", "chip1x36slx9at870e9rd53d2405n80s4ff94avyse6", "--amount", "1"}, `no key "nobody"`, "", ExitUsage},
		{"an unknown operator key", []string{"operator", "register", "--id", "acme", "--operator-key", "nobody", "--iban", "DE89370400440532013000",
			"--bic", "COBADEFFXXX", "--holder", "A", "--cap", "1"}, `--operator-key: no key "nobody"`, "", ExitUsage},
		{"an unknown key to show", []string{"keys", "show", "nobody"}, `no key "nobody"`, "", ExitUsage},
		{"a malformed key name", []string{"keys", "show", "Bob!"}, "bad key name", "", ExitUsage},
		{"a key name missing", []string{"keys", "show"}, "accepts 1 arg", "", ExitUsage},
		{"an unknown key's balance", []string{"balance", "nobody"}, `"nobody"`, "", ExitUsage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := run(t, append([]string{"--home", home}, tc.args...)...)
			if code != tc.code || !strings.Contains(errOut, tc.want) || (tc.notWant != "" && strings.Contains(errOut, tc.notWant)) {
				t.Fatalf("exit %d, stderr %q; want exit %d with %q", code, errOut, tc.code, tc.want)
			}
		})
	}
}

// The node's address may come without its scheme, and the output format in any case.
func TestFlagsReadAsPeopleWriteThem(t *testing.T) {
	_, errOut, _ := run(t, "supply", "--node", "127.0.0.1:1")
	if strings.Contains(errOut, "first path segment") || !strings.Contains(errOut, "http://127.0.0.1:1") {
		t.Fatalf("--node without a scheme: %s", errOut)
	}
	out, errOut, code := run(t, "codes", "-o", "JSON")
	var rows []map[string]any
	if code != ExitOK || json.Unmarshal([]byte(out), &rows) != nil || len(rows) == 0 {
		t.Fatalf("-o JSON: exit %d, %q %q", code, out, errOut)
	}
	out, _, code = run(t, "supply", "--node", "127.0.0.1:1", "-o", "json")
	var failure struct {
		Error    string `json:"error"`
		ExitCode int    `json:"exit_code"`
	}
	if code != ExitError || json.Unmarshal([]byte(out), &failure) != nil || failure.ExitCode != int(ExitError) || failure.Error == "" {
		t.Fatalf("a failure in JSON: exit %d, %q", code, out)
	}
}

// Help texts read right: pflag takes a backquoted word in a flag's usage for the name
// of its value, so "wait for `issuer approve`" would print as a flag type.
func TestHelpTextsShowNoStrayValueNames(t *testing.T) {
	var walk func(c *cobra.Command)
	flags := 0
	walk = func(c *cobra.Command) {
		for _, fs := range []*pflag.FlagSet{c.Flags(), c.PersistentFlags()} {
			fs.VisitAll(func(f *pflag.Flag) {
				flags++
				if strings.Contains(f.Usage, "`") {
					t.Errorf("%s --%s: usage %q has a backquote", c.CommandPath(), f.Name, f.Usage)
				}
			})
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(NewCmdRoot(&Globals{}))
	if flags < 50 {
		t.Fatalf("walked %d flags: the walk missed commands", flags)
	}
	out, _, code := run(t, "issuer", "run", "--help")
	if code != ExitOK || !strings.Contains(out, "--rescan duration") {
		t.Fatalf("issuer run --help: exit %d:\n%s", code, out)
	}
}

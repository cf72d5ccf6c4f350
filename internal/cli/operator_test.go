package cli

import (
	"strings"
	"testing"
)

// An operator whose account has no IBAN is registered by its account number, scheme and
// clearing member id; operator list and buy show the account in canonical form.
func TestOperatorWithAccountWithoutIBAN(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	tc := startTestChain(t, 0)
	cli := tc.cli
	cli("keys", "add", "cnyco")
	cli("keys", "add", "li")
	const shown = "6222021001000000001 (scheme BBAN), clearing CNAPS:102100099996"
	out := cli("operator", "register", "--from", "issuer", "--id", "cnyco", "--operator-key", "cnyco",
		"--account-id", "6222 0210 0100 0000 001", "--account-scheme", "BBAN", "--clearing", "cnaps:102100099996",
		"--holder", "Acme Trading", "--currency", "CNY", "--cap", "100000")
	if !strings.Contains(out, "account "+shown+" (CNY)") {
		t.Fatalf("operator register:\n%s", out)
	}
	if s := cli("operator", "list"); !strings.Contains(s, shown+" CNY") || !strings.Contains(s, "DE89 3704 0044 0532 0130 00, BIC COBADEFFXXX EUR") {
		t.Fatalf("operator list:\n%s", s)
	}
	if s := cli("buy", "--from", "li", "--operator", "cnyco", "--amount", "688.00"); !strings.Contains(s, "pay 688.00 CNY to Acme Trading, "+shown+"\n") {
		t.Fatalf("buy:\n%s", s)
	}
}

func TestOperatorRegisterAccountFlags(t *testing.T) {
	t.Setenv("CHIPMINT_PASSPHRASE", "x")
	home := t.TempDir()
	key := []string{"operator", "register", "--id", "acme", "--public-key", "O/Xn1V99d0sKOLkomJFK9DKmk77HmtVGkt1XCdGXo74=", "--holder", "A", "--cap", "1"}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"neither IBAN nor account id", nil, "--iban or --account-id"},
		{"both IBAN and account id", []string{"--iban", "DE89370400440532013000", "--bic", "COBADEFFXXX", "--account-id", "1", "--account-scheme", "BBAN"}, "--iban and --account-id"},
		{"IBAN without BIC", []string{"--iban", "DE89370400440532013000"}, "--bic"},
		{"scheme with IBAN", []string{"--iban", "DE89370400440532013000", "--bic", "COBADEFFXXX", "--account-scheme", "BBAN"}, "go with --account-id"},
		{"account id without scheme", []string{"--account-id", "1"}, "--account-scheme"},
		{"unknown scheme", []string{"--account-id", "1", "--account-scheme", "XXXX"}, "--account-scheme"},
		{"long account id", []string{"--account-id", strings.Repeat("1", 35), "--account-scheme", "BBAN"}, "--account-id"},
		{"bad clearing", []string{"--account-id", "1", "--account-scheme", "BBAN", "--clearing", "CNAPS"}, "--clearing"},
		{"unknown clearing system", []string{"--account-id", "1", "--account-scheme", "BBAN", "--clearing", "XXXXX:1"}, "--clearing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := run(t, append(append([]string{"--home", home}, key...), tc.args...)...)
			if code != ExitUsage || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d naming %q", code, errOut, ExitUsage, tc.want)
			}
		})
	}
}

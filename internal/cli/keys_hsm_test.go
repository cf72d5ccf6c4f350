//go:build pkcs11 && cgo

package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/hsm/hsmtest"
)

// An operator and an issuer whose keys are on a token: keys hsm-add makes them, issuer
// add and operator register take them by URI, and confirm and issue sign with them; a
// wrong PIN and a missing key are named; keys rotate hands a role to a key on the token.
func TestTokenKeysOnTheCommandLine(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	module := hsmtest.Token(t)
	tc := startTestChain(t, 0)
	cli := tc.cli
	opURI, issuerURI := hsmtest.URI(module, "vaultpay").String(), hsmtest.URI(module, "vault").String()

	var made keyView
	if err := json.Unmarshal([]byte(cli("-o", "json", "keys", "hsm-add", opURI)), &made); err != nil {
		t.Fatal(err)
	}
	if made.Name != opURI || !strings.HasPrefix(made.Address, "chip1") || made.PublicKey == "" {
		t.Fatalf("keys hsm-add: %+v", made)
	}
	if out := cli("keys", "hsm-add", issuerURI); !strings.Contains(out, `key "vault" made on token "chipmint": chip1`) {
		t.Fatalf("keys hsm-add:\n%s", out)
	}
	if out := cli("keys", "show", opURI); !strings.Contains(out, "address:    "+made.Address) || !strings.Contains(out, "public key: "+made.PublicKey) {
		t.Fatalf("keys show %s:\n%s", opURI, out)
	}
	tc.refused(t, ExitError, []string{"keys", "hsm-add", opURI}, `URI: hsm: a key exists labelled "vaultpay" on token "chipmint"`)

	cli("issuer", "add", "vault", "--key", issuerURI, "--from", "issuer")
	cli("operator", "register", "--from", "issuer", "--id", "vaultpay", "--operator-key", opURI,
		"--iban", "GB82WEST12345698765432", "--bic", "NWBKGB2LXXX", "--holder", "Vault Payments Ltd", "--cap", "1000")
	cli("keys", "add", "alice")
	id := orderIDIn(t, cli("buy", "--from", "alice", "--operator", "vaultpay", "--amount", "25.00"))

	t.Setenv("CHIPMINT_TEST_WRONG_PIN", "0000")
	wrongPIN := strings.Replace(opURI, "pin-source=env:"+hsmtest.PINEnv, "pin-source=env:CHIPMINT_TEST_WRONG_PIN", 1)
	tc.refused(t, ExitError, []string{"confirm", "--from", wrongPIN, "--order", id, "--amount", "25.00", "--bank-ref", "VAULT-1"},
		`--from: hsm: wrong PIN for token "chipmint"`)
	ghost := strings.Replace(opURI, "object=vaultpay", "object=ghost", 1)
	tc.refused(t, ExitUsage, []string{"confirm", "--from", ghost, "--order", id, "--amount", "25.00", "--bank-ref", "VAULT-1"},
		`--from: hsm: no key labelled "ghost" on token "chipmint"`)

	if out := cli("confirm", "--from", opURI, "--order", id, "--amount", "25.00", "--bank-ref", "VAULT-1"); !strings.Contains(out, "order "+id+" paid") {
		t.Fatalf("confirm signed on the token:\n%s", out)
	}
	if out := cli("issue", "--from", issuerURI, "--order", id); !strings.Contains(out, "order "+id+" issued: 25.00 CHIP") {
		t.Fatalf("issue signed on the token:\n%s", out)
	}

	// A keystore key's role moves to a key on the token.
	acmeURI := hsmtest.URI(module, "acme").String()
	cli("keys", "hsm-add", acmeURI)
	if out := cli("keys", "rotate", "--role", "operator", "--from", "acme", "--to", acmeURI); !strings.Contains(out, "the operator role of ") {
		t.Fatalf("keys rotate to the token:\n%s", out)
	}
	id = orderIDIn(t, cli("buy", "--from", "alice", "--operator", "acme", "--amount", "5.00"))
	if out := cli("confirm", "--from", acmeURI, "--order", id, "--amount", "5.00", "--bank-ref", "ACME-1"); !strings.Contains(out, "order "+id+" paid") {
		t.Fatalf("confirm signed by acme's key on the token:\n%s", out)
	}
}

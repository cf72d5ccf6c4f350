package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chipmint/chipmint/internal/txn"
)

// The bank reverses the payment of an issued order, and the operator covers its
// shortfall with its own money in two credits: each prints what is left, the chain's
// refusals exit with their code, and operator show tells the chips covered.
func TestOperatorCover(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	tc := startTestChain(t, 0)
	cli := tc.cli
	cli("keys", "add", "alice")
	tc.refused(t, ExitRejected, []string{"operator", "cover", "--from", "acme", "--bank-ref", "OWN-0", "--amount", "1.00"}, "no_shortfall (code 78)")
	id := orderIDIn(t, cli("buy", "--from", "alice", "--operator", "acme", "--amount", "87.50"))
	cli("confirm", "--from", "acme", "--order", id, "--amount", "87.50", "--bank-ref", "UETR-REVERSED")
	cli("issue", "--from", "issuer", "--order", id)
	cli("reverse", "--from", "acme", "--bank-ref", "UETR-REVERSED", "--reason", "AC04 account closed")

	out := cli("operator", "cover", "--from", "acme", "--bank-ref", "OWN-1", "--amount", "20.00")
	if !strings.Contains(out, "cover OWN-1 recorded (height ") || !strings.Contains(out, "20.00 EUR of acme's own money backs 20.00 CHIP of its shortfall") ||
		!strings.Contains(out, "shortfall left 67.50 CHIP; 20.00 CHIP covered in all") {
		t.Fatalf("operator cover:\n%s", out)
	}
	tc.refused(t, ExitRejected, []string{"operator", "cover", "--from", "acme", "--bank-ref", "own-1", "--amount", "1.00"}, "bank_reference_used (code 20)")
	tc.refused(t, ExitRejected, []string{"operator", "cover", "--from", "acme", "--bank-ref", "UETR-REVERSED", "--amount", "1.00"}, "bank_reference_used (code 20)")
	tc.refused(t, ExitRejected, []string{"operator", "cover", "--from", "acme", "--bank-ref", "OWN-2", "--amount", "67.51"}, "cover_exceeds_shortfall (code 79)")
	tc.refused(t, ExitRejected, []string{"operator", "cover", "--from", "acme", "--bank-ref", "OWN-2", "--amount", "1.00", "--currency", "USD"}, "currency_mismatch (code 22)")
	tc.refused(t, ExitUsage, []string{"operator", "cover", "--from", "acme", "--bank-ref", "OWN-2", "--amount", "1.001"}, "--amount")
	tc.refused(t, ExitUsage, []string{"operator", "cover", "--from", "acme", "--bank-ref", "OWN-2", "--amount", "1.00", "--currency", "EURO"}, "--currency")
	tc.refused(t, ExitUsage, []string{"operator", "cover", "--from", "alice", "--bank-ref", "OWN-2", "--amount", "1.00"}, "--from: ", "is no operator's key")
	tc.refused(t, ExitUsage, []string{"operator", "cover", "--from", "acme", "--amount", "1.00"}, "--bank-ref is required")

	var res CoverResult
	if err := json.Unmarshal([]byte(cli("-o", "json", "operator", "cover", "--from", "acme", "--bank-ref", "OWN-2", "--amount", "67.50")), &res); err != nil {
		t.Fatal(err)
	}
	want := txn.Cover{Operator: "acme", BankReference: "OWN-2", AmountMinor: 6_750, Currency: "EUR", Chips: 67_500_000, Height: res.Committed.Height}
	if res.Cover != want || res.ShortfallChips != 0 || res.CoveredChips != 87_500_000 || res.Committed.Hash == "" {
		t.Fatalf("operator cover in JSON: %+v, want cover %+v", res, want)
	}
	if out := cli("operator", "cover", "--resume", res.Committed.Hash); !strings.Contains(out, "cover OWN-2 recorded (height ") || !strings.Contains(out, "no shortfall left; 87.50 CHIP covered in all") {
		t.Fatalf("operator cover --resume of a committed cover:\n%s", out)
	}
	if s := cli("operator", "show", "acme"); strings.Contains(s, "SHORTFALL") || !strings.Contains(s, "covered      87.50 CHIP") {
		t.Fatalf("operator show after the covers:\n%s", s)
	}
	tc.refused(t, ExitRejected, []string{"operator", "cover", "--from", "acme", "--bank-ref", "OWN-3", "--amount", "0.01"}, "no_shortfall (code 78)")
}

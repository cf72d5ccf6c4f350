package cli

import (
	"encoding/json"
	"testing"
)

// keys rotate hands acme's role to a new key: the old key confirms no more, the new one
// does; a role the key does not hold, and a key that is not there, are refused.
func TestKeysRotate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a node")
	}
	tc := startTestChain(t, 0)
	tc.cli("keys", "add", "alice")
	tc.cli("keys", "add", "acme2")
	tc.refused(t, ExitRejected, []string{"keys", "rotate", "--role", "issuer", "--from", "acme", "--to", "acme2"}, "wrong_role")
	tc.refused(t, ExitUsage, []string{"keys", "rotate", "--role", "buyer", "--from", "acme", "--to", "acme2"}, "--role")
	tc.refused(t, ExitUsage, []string{"keys", "rotate", "--role", "operator", "--from", "acme", "--to", "nobody"}, "--to")

	var r rotation
	if err := json.Unmarshal([]byte(tc.cli("-o", "json", "keys", "rotate", "--role", "operator", "--from", "acme", "--to", "acme2")), &r); err != nil {
		t.Fatal(err)
	}
	if r.To != tc.address(t, "acme2") || r.TakenOver.Height < r.Offered.Height {
		t.Fatalf("rotation %+v", r)
	}
	id := orderIDIn(t, tc.cli("buy", "--from", "alice", "--operator", "acme", "--amount", "10.00"))
	tc.refused(t, ExitRejected, []string{"confirm", "--from", "acme", "--order", id, "--amount", "10.00", "--bank-ref", "UETR-1"}, "not_operator")
	tc.cli("confirm", "--from", "acme2", "--order", id, "--amount", "10.00", "--bank-ref", "UETR-1")
}

package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// The signer's usage errors name the flag at fault, before anything is dialled.
func TestValidatorSignerUsage(t *testing.T) {
	dir := t.TempDir()
	key, state := filepath.Join(dir, "priv_validator_key.json"), filepath.Join(dir, "priv_validator_state.json")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"flags missing", []string{"--key", key}, "--chain-id, --connect and --state are required"},
		{"an address of another kind", []string{"--key", key, "--state", state, "--connect", "http://127.0.0.1:26659", "--chain-id", "c"}, "--connect:"},
		{"no key file", []string{"--key", key, "--state", state, "--connect", "tcp://127.0.0.1:26659", "--chain-id", "c"}, "--key, --state: node: no validator key: " + key},
		{"a wrong log level", []string{"--key", key, "--state", state, "--connect", "tcp://127.0.0.1:26659", "--chain-id", "c", "--log-level", "loud"}, "--log-level:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := run(t, append([]string{"validator", "signer"}, tc.args...)...)
			if code != ExitUsage || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, %q: want %d and %q", code, errOut, ExitUsage, tc.want)
			}
		})
	}
}

//go:build !pkcs11 || !cgo

package cli

import (
	"strings"
	"testing"
)

// A chipmint built without the pkcs11 tag says how to build one that signs with a token.
func TestTokenKeyWithoutTheTag(t *testing.T) {
	uri := "pkcs11:token=chipmint;object=acme?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:CHIPMINT_PKCS11_PIN"
	for _, args := range [][]string{
		{"send", "--from", uri, "--to", "chip1x36slx9at870e9rd53d2405n80s4ff94avyse6", "--amount", "1"},
		{"keys", "hsm-add", uri},
	} {
		_, errOut, code := run(t, append([]string{"--home", t.TempDir()}, args...)...)
		if code != ExitUsage || !strings.Contains(errOut, "built without PKCS#11 support: build it with `go build -tags pkcs11`") {
			t.Fatalf("chipmint %v: exit %d, stderr %q", args, code, errOut)
		}
	}
}

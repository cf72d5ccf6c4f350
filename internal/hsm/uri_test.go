package hsm

import (
	"errors"
	"strings"
	"testing"
)

func TestParseURI(t *testing.T) {
	const module = "?module-path=/usr/lib/softhsm/libsofthsm2.so"
	tests := []struct {
		name string
		in   string
		want URI
		err  string
	}{
		{"the documented form", "pkcs11:token=chipmint;object=acme" + module + "&pin-source=env:CHIPMINT_PKCS11_PIN",
			URI{Module: "/usr/lib/softhsm/libsofthsm2.so", Token: "chipmint", Label: "acme", PINEnv: "CHIPMINT_PKCS11_PIN"}, ""},
		{"a PIN asked at the terminal", "pkcs11:object=acme;token=chipmint;type=private" + module,
			URI{Module: "/usr/lib/softhsm/libsofthsm2.so", Token: "chipmint", Label: "acme"}, ""},
		{"percent-encoded labels", "pkcs11:token=Acme%20Bank%3B%20vault;object=issuer%2F1" + module,
			URI{Module: "/usr/lib/softhsm/libsofthsm2.so", Token: "Acme Bank; vault", Label: "issuer/1"}, ""},
		{"not a PKCS#11 URI", "acme", URI{}, "want pkcs11:…"},
		{"no module", "pkcs11:token=chipmint;object=acme", URI{}, "module-path required"},
		{"no token nor key", "pkcs11:" + module, URI{}, "token, object required"},
		{"a PIN in the URI", "pkcs11:token=chipmint;object=acme" + module + "&pin-value=5678", URI{}, "pin-value is refused"},
		{"a PIN from a file", "pkcs11:token=chipmint;object=acme" + module + "&pin-source=file:/run/pin", URI{}, "pin-source=file:/run/pin: want env:NAME"},
		{"a public key", "pkcs11:token=chipmint;object=acme;type=public" + module, URI{}, "a signing key is type=private"},
		{"a key by serial", "pkcs11:serial=42;object=acme" + module, URI{}, "serial is not supported"},
		{"a mistyped query attribute", "pkcs11:token=chipmint;object=acme" + module + "&pin-sorce=env:PIN", URI{}, "pin-sorce is not supported"},
		{"an attribute twice", "pkcs11:token=a;token=b;object=acme" + module, URI{}, "token given twice"},
		{"an attribute without a value", "pkcs11:token;object=acme" + module, URI{}, `"token" is not name=value`},
		{"a broken escape", "pkcs11:token=a%2;object=acme" + module, URI{}, "token: invalid URL escape"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := ParseURI(tc.in)
			if tc.err != "" {
				if !errors.Is(err, ErrBadURI) || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("%v; want %v saying %q", err, ErrBadURI, tc.err)
				}
				return
			}
			if err != nil || u != tc.want {
				t.Fatalf("%+v, %v; want %+v", u, err, tc.want)
			}
			if back, err := ParseURI(u.String()); err != nil || back != u {
				t.Fatalf("%s reads back as %+v, %v", u, back, err)
			}
		})
	}
}

func TestPIN(t *testing.T) {
	const env = "CHIPMINT_TEST_PIN"
	u := URI{Module: "/m.so", Token: "chipmint", Label: "acme"}
	asked := func(answer string) func(string) ([]byte, error) {
		return func(prompt string) ([]byte, error) {
			if prompt != `PIN for token "chipmint": ` {
				t.Errorf("prompt %q", prompt)
			}
			return []byte(answer), nil
		}
	}
	t.Setenv(env, "5678")
	withEnv := u
	withEnv.PINEnv = env
	if pin, err := withEnv.PIN(asked("never")); pin != "5678" || err != nil {
		t.Fatalf("from %s: %q, %v", env, pin, err)
	}
	if pin, err := u.PIN(asked("1234")); pin != "1234" || err != nil {
		t.Fatalf("asked: %q, %v", pin, err)
	}
	t.Setenv(env, "")
	for _, tc := range []struct {
		name string
		u    URI
		ask  func(string) ([]byte, error)
		want string
	}{
		{"an unset variable", withEnv, asked("never"), `hsm: no PIN for token "chipmint": pin-source names CHIPMINT_TEST_PIN, which is not set`},
		{"no terminal", u, nil, `hsm: no PIN for token "chipmint": add pin-source=env:NAME to the URI, or run in a terminal`},
		{"an empty answer", u, asked(""), `hsm: no PIN for token "chipmint": an empty PIN`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.u.PIN(tc.ask); !errors.Is(err, ErrNoPIN) || err.Error() != tc.want {
				t.Fatalf("%v; want %q", err, tc.want)
			}
		})
	}
}

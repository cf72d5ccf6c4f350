package hsm

import (
	"fmt"
	"net/url"
	"os"
	"strings"
)

// Scheme starts every PKCS#11 URI.
const Scheme = "pkcs11:"

// URI is a key on a token, as a PKCS#11 URI (RFC 7512) names it.
type URI struct {
	// Module is the PKCS#11 library that drives the token (module-path).
	Module string
	// Token is the token's label (token).
	Token string
	// Label is the key pair's label (object).
	Label string
	// PINEnv is the environment variable that holds the user PIN (pin-source=env:NAME);
	// empty, the PIN is asked at the terminal.
	PINEnv string
}

// IsURI reports whether s names a key on a token rather than in the keystore.
func IsURI(s string) bool { return strings.HasPrefix(s, Scheme) }

// ParseURI reads a PKCS#11 URI. It wants token, object and module-path; it takes
// type=private, and pin-source only as env:NAME. It refuses pin-value, since a PIN
// written in a URI ends in shell histories, process lists and service files, and every
// attribute it does not know, so that a mistyped one never goes unnoticed.
func ParseURI(s string) (URI, error) {
	if !IsURI(s) {
		return URI{}, fmt.Errorf("%w: want %s…, got %q", ErrBadURI, Scheme, s)
	}
	path, query, _ := strings.Cut(strings.TrimPrefix(s, Scheme), "?")
	var u URI
	seen := map[string]bool{}
	attr := func(part string) (string, string, error) {
		name, raw, ok := strings.Cut(part, "=")
		if !ok || name == "" {
			return "", "", fmt.Errorf("%w: %q is not name=value", ErrBadURI, part)
		}
		if seen[name] {
			return "", "", fmt.Errorf("%w: %s given twice", ErrBadURI, name)
		}
		seen[name] = true
		v, err := url.PathUnescape(raw)
		if err != nil {
			return "", "", fmt.Errorf("%w: %s: %v", ErrBadURI, name, err)
		}
		return name, v, nil
	}
	for part := range strings.SplitSeq(path, ";") {
		if part == "" {
			continue
		}
		name, v, err := attr(part)
		if err != nil {
			return URI{}, err
		}
		switch name {
		case "token":
			u.Token = v
		case "object":
			u.Label = v
		case "type":
			if v != "private" {
				return URI{}, fmt.Errorf("%w: type=%s: a signing key is type=private", ErrBadURI, v)
			}
		default:
			return URI{}, fmt.Errorf("%w: %s is not supported: name the token by token=LABEL and the key by object=LABEL", ErrBadURI, name)
		}
	}
	if query != "" {
		for part := range strings.SplitSeq(query, "&") {
			name, v, err := attr(part)
			if err != nil {
				return URI{}, err
			}
			switch name {
			case "module-path":
				u.Module = v
			case "pin-source":
				env, ok := strings.CutPrefix(v, "env:")
				if !ok || env == "" {
					return URI{}, fmt.Errorf("%w: pin-source=%s: want env:NAME, the environment variable that holds the PIN", ErrBadURI, v)
				}
				u.PINEnv = env
			case "pin-value":
				return URI{}, fmt.Errorf("%w: pin-value is refused, it would leave the PIN wherever the URI is written: use pin-source=env:NAME, or type the PIN when asked", ErrBadURI)
			default:
				return URI{}, fmt.Errorf("%w: %s is not supported: give the module by module-path and the PIN by pin-source=env:NAME", ErrBadURI, name)
			}
		}
	}
	var missing []string
	for _, m := range []struct{ name, v string }{{"token", u.Token}, {"object", u.Label}, {"module-path", u.Module}} {
		if m.v == "" {
			missing = append(missing, m.name)
		}
	}
	if len(missing) > 0 {
		return URI{}, fmt.Errorf("%w: %s required", ErrBadURI, strings.Join(missing, ", "))
	}
	return u, nil
}

// String is the key as a URI, which ParseURI reads back.
func (u URI) String() string {
	esc := uriEscaper.Replace
	s := Scheme + "token=" + esc(u.Token) + ";object=" + esc(u.Label) + "?module-path=" + esc(u.Module)
	if u.PINEnv != "" {
		s += "&pin-source=env:" + esc(u.PINEnv)
	}
	return s
}

// uriEscaper escapes what would end a URI's attribute or the URI itself.
var uriEscaper = strings.NewReplacer("%", "%25", ";", "%3B", "?", "%3F", "&", "%26", "#", "%23", " ", "%20")

// PIN is the token's user PIN: the value of the environment variable the URI names,
// or else the answer to ask (nil when there is no terminal to ask at).
func (u URI) PIN(ask func(prompt string) ([]byte, error)) (string, error) {
	if u.PINEnv != "" {
		pin := os.Getenv(u.PINEnv)
		if pin == "" {
			return "", fmt.Errorf("%w for token %q: pin-source names %s, which is not set", ErrNoPIN, u.Token, u.PINEnv)
		}
		return pin, nil
	}
	if ask == nil {
		return "", fmt.Errorf("%w for token %q: add pin-source=env:NAME to the URI, or run in a terminal", ErrNoPIN, u.Token)
	}
	b, err := ask(fmt.Sprintf("PIN for token %q: ", u.Token))
	if err != nil {
		return "", err
	}
	if len(b) == 0 {
		return "", fmt.Errorf("%w for token %q: an empty PIN", ErrNoPIN, u.Token)
	}
	return string(b), nil
}

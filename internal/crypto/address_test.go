package crypto

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/bech32"
)

// goldenAddress is the address of the key with seed 32×0x01. It was computed
// once and pasted here so that any change to address derivation or encoding,
// which would orphan every existing account, fails this test.
const goldenAddress = "chip1x36slx9at870e9rd53d2405n80s4ff94avyse6"

func publicKeyFromSeed(b byte) ed25519.PublicKey {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{b}, ed25519.SeedSize))
	return priv.Public().(ed25519.PublicKey)
}

func TestAddressGolden(t *testing.T) {
	tests := []struct {
		name string
		addr Address
		want string
	}{
		{name: "seed 0x01", addr: AddressOf(publicKeyFromSeed(1)), want: goldenAddress},
		{name: "seed 0x02", addr: AddressOf(publicKeyFromSeed(2)), want: "chip1dguq840stxgz58rd477fhfrjjgf00j4vm02htj"},
		{name: "zero", addr: Address{}, want: "chip1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqs4dxju"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.addr.String(); got != tt.want {
				t.Fatalf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAddressRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		seed byte
	}{
		{name: "seed 0x00", seed: 0x00},
		{name: "seed 0x01", seed: 0x01},
		{name: "seed 0x7f", seed: 0x7f},
		{name: "seed 0xff", seed: 0xff},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := AddressOf(publicKeyFromSeed(tt.seed))
			s := want.String()
			if !strings.HasPrefix(s, AddressHRP+"1") {
				t.Fatalf("String() = %q, want prefix %q", s, AddressHRP+"1")
			}
			got, err := ParseAddress(s)
			if err != nil {
				t.Fatalf("ParseAddress(%q): %v", s, err)
			}
			if got != want {
				t.Fatalf("ParseAddress(%q) = %x, want %x", s, got, want)
			}
		})
	}
}

func TestParseAddressRejects(t *testing.T) {
	tests := []struct {
		name    string
		input   string
		wantErr error
	}{
		{name: "empty", input: "", wantErr: ErrAddressEncoding},
		{name: "garbage", input: "not an address", wantErr: ErrAddressEncoding},
		{name: "no separator", input: "chipqqqqqqqqqqqq", wantErr: ErrAddressEncoding},
		{name: "character outside charset", input: "chip1bqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqs4dxju", wantErr: ErrAddressEncoding},
		{name: "other hrp", input: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", wantErr: ErrAddressHRP},
		{name: "hrp with chip prefix", input: "chipx1qurswpc8qurswpc8qurswpc8qurswpc80yd332", wantErr: ErrAddressHRP},
		{name: "bad checksum", input: goldenAddress[:len(goldenAddress)-1] + "7", wantErr: ErrAddressChecksum},
		{name: "changed data char", input: strings.Replace(goldenAddress, "x36", "x37", 1), wantErr: ErrAddressChecksum},
		{name: "upper case", input: strings.ToUpper(goldenAddress), wantErr: ErrAddressCase},
		{name: "mixed case", input: "chip1X36slx9at870e9rd53d2405n80s4ff94avyse6", wantErr: ErrAddressCase},
		{name: "bech32m checksum", input: "chip1qurswpc8qurswpc8qurswpc8qurswpc89e60sz", wantErr: ErrAddressEncoding},
		{name: "19 bytes", input: "chip1qurswpc8qurswpc8qurswpc8qurswpckcjkwu", wantErr: ErrAddressLength},
		{name: "21 bytes", input: "chip1qurswpc8qurswpc8qurswpc8qurswpc8qu64t7zx", wantErr: ErrAddressLength},
		{name: "leftover 5-bit group", input: "chip1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqvw2gj", wantErr: ErrAddressEncoding},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseAddress(tt.input)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("ParseAddress(%q) error = %v, want %v", tt.input, err, tt.wantErr)
			}
			if !got.IsZero() {
				t.Fatalf("ParseAddress(%q) = %x on error, want zero", tt.input, got)
			}
		})
	}
}

func TestAddressIsZero(t *testing.T) {
	tests := []struct {
		name string
		addr Address
		want bool
	}{
		{name: "zero value", addr: Address{}, want: true},
		{name: "derived", addr: AddressOf(publicKeyFromSeed(1)), want: false},
		{name: "last byte set", addr: Address{AddressBytes - 1: 1}, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.addr.IsZero(); got != tt.want {
				t.Fatalf("IsZero() = %v, want %v", got, tt.want)
			}
		})
	}
}

type addressHolder struct {
	Addr Address `json:"addr"`
}

func TestAddressJSON(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		want    Address
		wantErr error
	}{
		{name: "golden", json: `{"addr":"` + goldenAddress + `"}`, want: AddressOf(publicKeyFromSeed(1))},
		{name: "bad checksum", json: `{"addr":"` + goldenAddress[:len(goldenAddress)-1] + `7"}`, wantErr: ErrAddressChecksum},
		{name: "upper case", json: `{"addr":"` + strings.ToUpper(goldenAddress) + `"}`, wantErr: ErrAddressCase},
		{name: "empty", json: `{"addr":""}`, wantErr: ErrAddressEncoding},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got addressHolder
			err := json.Unmarshal([]byte(tt.json), &got)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Unmarshal error = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if got.Addr != tt.want {
				t.Fatalf("Unmarshal = %x, want %x", got.Addr, tt.want)
			}
			out, err := json.Marshal(got)
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if string(out) != tt.json {
				t.Fatalf("Marshal = %s, want %s", out, tt.json)
			}
		})
	}
}

// FuzzParseAddress checks that ParseAddress never panics and that whatever it
// accepts is the single canonical spelling of that address.
// Its seeds live in testdata/fuzz/FuzzParseAddress.
func FuzzParseAddress(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		addr, err := ParseAddress(s)
		if err != nil {
			return
		}
		if got := addr.String(); got != strings.ToLower(s) {
			t.Fatalf("ParseAddress(%q).String() = %q, want the lower-case input", s, got)
		}
		again, err := ParseAddress(addr.String())
		if err != nil {
			t.Fatalf("re-parse %q: %v", addr.String(), err)
		}
		if again != addr {
			t.Fatalf("re-parse %q = %x, want %x", addr.String(), again, addr)
		}
	})
}

// TestParseAddressHidesChecksum guards against leaking the correct checksum
// of a mistyped address, which a user could paste in to "fix" it.
func TestParseAddressHidesChecksum(t *testing.T) {
	tests := []struct {
		name  string
		input string
	}{
		{name: "last char changed", input: goldenAddress[:len(goldenAddress)-1] + "7"},
		{name: "data char changed", input: strings.Replace(goldenAddress, "x36", "x37", 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var libErr bech32.ErrInvalidChecksum
			if _, _, err := bech32.Decode(tt.input); !errors.As(err, &libErr) {
				t.Fatalf("bech32.Decode error = %v, want a checksum error", err)
			}
			_, err := ParseAddress(tt.input)
			if !errors.Is(err, ErrAddressChecksum) {
				t.Fatalf("ParseAddress error = %v, want %v", err, ErrAddressChecksum)
			}
			if strings.Contains(err.Error(), libErr.Expected) {
				t.Fatalf("error %q reveals the correct checksum %q", err, libErr.Expected)
			}
		})
	}
}

func TestAddressStringMatchesBech32(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	addrs := []Address{{}, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}
	for range 1000 {
		var a Address
		for i := range a {
			a[i] = byte(rng.Uint32())
		}
		addrs = append(addrs, a)
	}
	for _, a := range addrs {
		data, err := bech32.ConvertBits(a[:], 8, 5, true)
		if err != nil {
			t.Fatal(err)
		}
		want, err := bech32.Encode(AddressHRP, data)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.String(); got != want {
			t.Fatalf("%x: String() = %q, bech32 says %q", a[:], got, want)
		}
	}
}

func BenchmarkAddressString(b *testing.B) {
	a := AddressOf(make([]byte, 32))
	for b.Loop() {
		_ = a.String()
	}
}

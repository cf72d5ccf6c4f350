package fiat

import (
	"strings"
	"testing"
)

func TestParseIBAN(t *testing.T) {
	tests := []struct {
		in, want, print, country string
	}{
		{"GB82WEST12345698765432", "GB82WEST12345698765432", "GB82 WEST 1234 5698 7654 32", "GB"},
		{"DE89370400440532013000", "DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "DE"},
		{"NL91ABNA0417164300", "NL91ABNA0417164300", "NL91 ABNA 0417 1643 00", "NL"},
		{"FR1420041010050500013M02606", "FR1420041010050500013M02606", "FR14 2004 1010 0505 0001 3M02 606", "FR"},
		{"BE68539007547034", "BE68539007547034", "BE68 5390 0754 7034", "BE"},
		{"CH9300762011623852957", "CH9300762011623852957", "CH93 0076 2011 6238 5295 7", "CH"},
		{"NO9386011117947", "NO9386011117947", "NO93 8601 1117 947", "NO"},
		{"MT84MALT011000012345MTLCAST001S", "MT84MALT011000012345MTLCAST001S", "MT84 MALT 0110 0001 2345 MTLC AST0 01S", "MT"},
		{"de89 3704 0044 0532 0130 00", "DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "DE"},
		{" DE89  370400440532013000 ", "DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "DE"},
		{"fr1420041010050500013m02606", "FR1420041010050500013M02606", "FR14 2004 1010 0505 0001 3M02 606", "FR"},
		{"DE98370400440000000042", "DE98370400440000000042", "DE98 3704 0044 0000 0000 42", "DE"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseIBAN(tt.in)
			if err != nil {
				t.Fatalf("ParseIBAN(%q): %v", tt.in, err)
			}
			if got != IBAN(tt.want) || got.String() != tt.want {
				t.Errorf("ParseIBAN(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if p := got.Print(); p != tt.print {
				t.Errorf("Print() = %q, want %q", p, tt.print)
			}
			if c := got.Country(); c != tt.country {
				t.Errorf("Country() = %q, want %q", c, tt.country)
			}
		})
	}
}

func TestParseIBANErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     error
	}{
		{"wrong check digits", "DE88370400440532013000", ErrIBANChecksum},
		{"check digits 00 pass mod 97 but are out of range", "DE00370400440000000042", ErrIBANChecksum},
		{"check digits 01 pass mod 97 but are out of range", "DE01370400440000000042", ErrIBANChecksum},
		{"check digits 99", "DE99370400440532013000", ErrIBANChecksum},
		{"bban typo", "GB82WEST12345698765433", ErrIBANChecksum},
		{"one short", "DE8937040044053201300", ErrIBANLength},
		{"one long", "DE893704004405320130000", ErrIBANLength},
		{"other country's length", "NL91ABNA041716430", ErrIBANLength},
		{"empty", "", ErrIBANLength},
		{"only spaces", "    ", ErrIBANLength},
		{"country only", "DE", ErrIBANLength},
		{"three characters", "DE8", ErrIBANLength},
		{"unknown country", "XX89370400440532013000", ErrIBANCountry},
		{"non-SEPA country", "US89370400440532013000", ErrIBANCountry},
		{"digit in country", "D189370400440532013000", ErrIBANCountry},
		{"country and digits only", "XX12", ErrIBANCountry},
		{"dash", "DE89-3704-0044-0532-0130-00", ErrIBANCharacters},
		{"tab", "DE89\t370400440532013000", ErrIBANCharacters},
		{"non-breaking space", "DE89\u00a0370400440532013000", ErrIBANCharacters},
		{"newline", "DE89370400440532013000\n", ErrIBANCharacters},
		{"long s upper-cases to S elsewhere", "DE89370400440532013000\u017f", ErrIBANCharacters},
		{"full-width letters", "\uff24\uff2589370400440532013000", ErrIBANCharacters},
		{"invalid utf-8", "DE89\xff370400440532013000", ErrIBANCharacters},
		{"letter check digits", "DEAB370400440532013000", ErrIBANCharacters},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseIBAN(tt.in)
			if got != "" {
				t.Errorf("ParseIBAN(%q) = %q, want empty", tt.in, got)
			}
			wantFieldError(t, err, "iban", tt.in, tt.want)
		})
	}
}

// TestIBANDetectsSingleErrors checks the MOD 97-10 property the checksum is
// for: every single-digit substitution and every adjacent transposition of
// distinct digits is rejected.
func TestIBANDetectsSingleErrors(t *testing.T) {
	const valid = "DE89370400440532013000"
	for i := 2; i < len(valid); i++ {
		for d := byte('0'); d <= '9'; d++ {
			if d == valid[i] {
				continue
			}
			in := valid[:i] + string(d) + valid[i+1:]
			if _, err := ParseIBAN(in); err == nil {
				t.Errorf("substitution %q accepted", in)
			}
		}
		if i+1 < len(valid) && valid[i] != valid[i+1] {
			in := valid[:i] + valid[i+1:i+2] + valid[i:i+1] + valid[i+2:]
			if _, err := ParseIBAN(in); err == nil {
				t.Errorf("transposition %q accepted", in)
			}
		}
	}
}

func TestMakeIBAN(t *testing.T) {
	tests := []struct {
		country, bban, want string
	}{
		{"DE", "370400440532013000", "DE89370400440532013000"},
		{"GB", "WEST12345698765432", "GB82WEST12345698765432"},
		{"gb", "west 1234 5698 7654 32", "GB82WEST12345698765432"},
		{"NL", "ABNA0417164300", "NL91ABNA0417164300"},
		{"FR", "20041010050500013M02606", "FR1420041010050500013M02606"},
		{"BE", "539007547034", "BE68539007547034"},
		{"CH", "00762011623852957", "CH9300762011623852957"},
		{"DE", "370400440000000042", "DE98370400440000000042"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got, err := MakeIBAN(tt.country, tt.bban)
			if err != nil {
				t.Fatalf("MakeIBAN(%q, %q): %v", tt.country, tt.bban, err)
			}
			if got != IBAN(tt.want) {
				t.Errorf("MakeIBAN(%q, %q) = %q, want %q", tt.country, tt.bban, got, tt.want)
			}
		})
	}
}

func TestMakeIBANErrors(t *testing.T) {
	tests := []struct {
		name, country, bban string
		field, value        string
		want                error
	}{
		{"unknown country", "XX", "370400440532013000", "country", "XX", ErrIBANCountry},
		{"empty country", "", "370400440532013000", "country", "", ErrIBANCountry},
		{"three-letter country", "DEU", "370400440532013000", "country", "DEU", ErrIBANCountry},
		{"illegal country character", "D-", "370400440532013000", "country", "D-", ErrIBANCountry},
		{"illegal bban character", "DE", "3704-0044-0532-0130-00", "bban", "3704-0044-0532-0130-00", ErrIBANCharacters},
		{"bban too short", "DE", "37040044053201300", "iban", "DE5137040044053201300", ErrIBANLength},
		{"empty bban", "DE", "", "iban", "DE36", ErrIBANLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := MakeIBAN(tt.country, tt.bban)
			if got != "" {
				t.Errorf("MakeIBAN = %q, want empty", got)
			}
			wantFieldError(t, err, tt.field, tt.value, tt.want)
		})
	}
}

// TestMakeIBANEveryCountry builds an IBAN of the right length for every
// country in the table and checks that it parses back unchanged.
func TestMakeIBANEveryCountry(t *testing.T) {
	for country, n := range ibanLengths {
		got, err := MakeIBAN(country, strings.Repeat("7", n-4))
		if err != nil {
			t.Errorf("MakeIBAN(%s): %v", country, err)
			continue
		}
		back, err := ParseIBAN(got.Print())
		if err != nil || back != got || back.Country() != country {
			t.Errorf("ParseIBAN(%q) = %q, %v; want %q", got.Print(), back, err, got)
		}
	}
}

func TestIBANZeroValue(t *testing.T) {
	var i IBAN
	if i.String() != "" || i.Print() != "" || i.Country() != "" {
		t.Errorf("zero IBAN: String %q, Print %q, Country %q; want all empty", i.String(), i.Print(), i.Country())
	}
}

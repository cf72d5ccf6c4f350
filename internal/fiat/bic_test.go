package fiat

import "testing"

func TestParseBIC(t *testing.T) {
	tests := []struct {
		in, want, country string
	}{
		{"DEUTDEFF", "DEUTDEFF", "DE"},
		{"DEUTDEFF500", "DEUTDEFF500", "DE"},
		{"NWBKGB2L", "NWBKGB2L", "GB"},
		{"ABNANL2A", "ABNANL2A", "NL"},
		{"deutdeff500", "DEUTDEFF500", "DE"},
		{"NwBkGb2l", "NWBKGB2L", "GB"},
		{"BNPAFRPPXXX", "BNPAFRPPXXX", "FR"},
		{"ABCDCH12", "ABCDCH12", "CH"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseBIC(tt.in)
			if err != nil {
				t.Fatalf("ParseBIC(%q): %v", tt.in, err)
			}
			if got != BIC(tt.want) || got.String() != tt.want {
				t.Errorf("ParseBIC(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if c := got.Country(); c != tt.country {
				t.Errorf("Country() = %q, want %q", c, tt.country)
			}
		})
	}
}

func TestParseBICErrors(t *testing.T) {
	tests := []struct {
		name, in string
	}{
		{"six characters", "DEUTDE"},
		{"digit in institution", "1EUTDEFF"},
		{"ten characters", "DEUTDEFF50"},
		{"seven characters", "DEUTDEF"},
		{"nine characters", "DEUTDEFF5"},
		{"twelve characters", "DEUTDEFF5000"},
		{"empty", ""},
		{"digit in country", "DEUTD1FF"},
		{"digits as country", "DEUT12FF"},
		{"space", "DEUT DEFF"},
		{"trailing space", "DEUTDEFF "},
		{"dash", "DEUT-DEFF"},
		{"non-ASCII letter", "DEUTDEF\u00c9"},
		{"long s", "DEUTDEF\u017f"},
		{"invalid utf-8", "DEUTDEF\xff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseBIC(tt.in)
			if got != "" {
				t.Errorf("ParseBIC(%q) = %q, want empty", tt.in, got)
			}
			wantFieldError(t, err, "bic", tt.in, ErrBIC)
		})
	}
}

func TestBICZeroValue(t *testing.T) {
	var b BIC
	if b.String() != "" || b.Country() != "" {
		t.Errorf("zero BIC: String %q, Country %q; want both empty", b.String(), b.Country())
	}
}

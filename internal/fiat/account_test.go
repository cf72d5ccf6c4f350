package fiat

import (
	"strings"
	"testing"
)

func TestParseOtherAccount(t *testing.T) {
	tests := []struct {
		name               string
		id, scheme, issuer string
		want               OtherAccount
		wantString         string
	}{
		{name: "national account number", id: "6222021001000000001", scheme: "BBAN",
			want: OtherAccount{ID: "6222021001000000001", Scheme: "BBAN"}, wantString: "6222021001000000001 (scheme BBAN)"},
		{name: "print form with spaces", id: " 6222 0210 0100 0000 001 ", scheme: "BBAN",
			want: OtherAccount{ID: "6222021001000000001", Scheme: "BBAN"}, wantString: "6222021001000000001 (scheme BBAN)"},
		{name: "code scheme upper-cases id and scheme", id: "ab-12/c", scheme: "bban",
			want: OtherAccount{ID: "AB-12/C", Scheme: "BBAN"}, wantString: "AB-12/C (scheme BBAN)"},
		{name: "with issuer", id: "250094239", scheme: "BBAN", issuer: "PostFinance",
			want:       OtherAccount{ID: "250094239", Scheme: "BBAN", Issuer: "PostFinance"},
			wantString: "250094239 (scheme BBAN, issuer PostFinance)"},
		{name: "proprietary scheme keeps the id's case", id: "Wallet 7x", scheme: "Alipay account",
			want: OtherAccount{ID: "Wallet7x", Scheme: "Alipay account"}, wantString: "Wallet7x (scheme Alipay account)"},
		{name: "short proprietary scheme with punctuation", id: "x1", scheme: "CN-1",
			want: OtherAccount{ID: "x1", Scheme: "CN-1"}, wantString: "x1 (scheme CN-1)"},
		{name: "issuer trimmed", id: "1", scheme: "UPIC", issuer: " NYCH ",
			want: OtherAccount{ID: "1", Scheme: "UPIC", Issuer: "NYCH"}, wantString: "1 (scheme UPIC, issuer NYCH)"},
		{name: "longest id", id: strings.Repeat("9", 34), scheme: "AIIN",
			want: OtherAccount{ID: strings.Repeat("9", 34), Scheme: "AIIN"}, wantString: strings.Repeat("9", 34) + " (scheme AIIN)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOtherAccount(tt.id, tt.scheme, tt.issuer)
			if err != nil {
				t.Fatalf("ParseOtherAccount: %v", err)
			}
			if got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			if s := got.String(); s != tt.wantString {
				t.Fatalf("String() = %q, want %q", s, tt.wantString)
			}
			if s := (OtherAccount{ID: tt.id, Scheme: tt.scheme, Issuer: tt.issuer}).String(); s != tt.wantString {
				t.Fatalf("String() of the input as given = %q, want the canonical %q", s, tt.wantString)
			}
			again, err := ParseOtherAccount(got.ID, got.Scheme, got.Issuer)
			if err != nil || again != got {
				t.Fatalf("the canonical form does not parse to itself: %+v, %v", again, err)
			}
		})
	}
}

func TestParseOtherAccountErrors(t *testing.T) {
	tests := []struct {
		name               string
		id, scheme, issuer string
		field, value       string
		sentinel           error
	}{
		{name: "no scheme", id: "1", field: "scheme", sentinel: ErrAccountScheme},
		{name: "blank scheme", id: "1", scheme: "  ", field: "scheme", value: "  ", sentinel: ErrAccountScheme},
		{name: "unknown code", id: "1", scheme: "XXXX", field: "scheme", value: "XXXX", sentinel: ErrAccountScheme},
		{name: "iban is no scheme", id: "1", scheme: "IBAN", field: "scheme", value: "IBAN", sentinel: ErrAccountScheme},
		{name: "proprietary too long", id: "1", scheme: strings.Repeat("s", 36), field: "scheme", value: strings.Repeat("s", 36), sentinel: ErrAccountScheme},
		{name: "proprietary not ASCII", id: "1", scheme: "Konto-Nr.ü", field: "scheme", value: "Konto-Nr.ü", sentinel: ErrAccountScheme},
		{name: "empty id", scheme: "BBAN", field: "other_id", sentinel: ErrAccountID},
		{name: "only spaces", id: "   ", scheme: "BBAN", field: "other_id", value: "   ", sentinel: ErrAccountID},
		{name: "id too long", id: strings.Repeat("1", 35), scheme: "BBAN", field: "other_id", value: strings.Repeat("1", 35), sentinel: ErrAccountID},
		{name: "id with tab", id: "12\t34", scheme: "BBAN", field: "other_id", value: "12\t34", sentinel: ErrAccountID},
		{name: "id not ASCII", id: "账户1", scheme: "BBAN", field: "other_id", value: "账户1", sentinel: ErrAccountID},
		{name: "issuer too long", id: "1", scheme: "BBAN", issuer: strings.Repeat("i", 36), field: "issuer", value: strings.Repeat("i", 36), sentinel: ErrAccountID},
		{name: "issuer not printable", id: "1", scheme: "BBAN", issuer: "a\x7fb", field: "issuer", value: "a\x7fb", sentinel: ErrAccountID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseOtherAccount(tt.id, tt.scheme, tt.issuer)
			wantFieldError(t, err, tt.field, tt.value, tt.sentinel)
		})
	}
}

func TestCanonicalOtherID(t *testing.T) {
	tests := []struct{ id, scheme, want string }{
		{"6222 0210 0100", "BBAN", "622202100100"},
		{"ab c", "bban", "ABC"},
		{"ab c", "", "abc"},
		{"ab c", "Proprietary", "abc"},
		{"ſ1", "BBAN", "ſ1"}, // only ASCII letters change case
	}
	for _, tt := range tests {
		if got := CanonicalOtherID(tt.id, tt.scheme); got != tt.want {
			t.Errorf("CanonicalOtherID(%q, %q) = %q, want %q", tt.id, tt.scheme, got, tt.want)
		}
	}
}

func TestOtherAccountStringWithoutScheme(t *testing.T) {
	if got := (OtherAccount{ID: "12 34", Issuer: "Bank"}).String(); got != "1234 (issuer Bank)" {
		t.Fatalf("String() = %q", got)
	}
	if got := (OtherAccount{ID: "12 34"}).String(); got != "1234" {
		t.Fatalf("String() = %q", got)
	}
}

func TestParseClearingMember(t *testing.T) {
	tests := []struct{ in, want string }{
		{"CNAPS:102100099996", "CNAPS:102100099996"},
		{"cnaps:1021 0009 9996", "CNAPS:102100099996"},
		{"GBDSC:20-00-00", "GBDSC:200000"},
		{"USABA:021000021", "USABA:021000021"},
		{"HKNCC:abc1", "HKNCC:ABC1"},
	}
	for _, tt := range tests {
		got, err := ParseClearingMember(tt.in)
		if err != nil {
			t.Fatalf("ParseClearingMember(%q): %v", tt.in, err)
		}
		if got.String() != tt.want {
			t.Fatalf("ParseClearingMember(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseClearingMemberErrors(t *testing.T) {
	tests := []struct {
		in, field, value string
	}{
		{in: "CNAPS", field: "clearing", value: "CNAPS"},
		{in: "XXXXX:1", field: "clearing_system", value: "XXXXX"},
		{in: ":1", field: "clearing_system", value: ""},
		{in: "CNAPS:", field: "clearing_member", value: ""},
		{in: "CNAPS:1.2", field: "clearing_member", value: "1.2"},
		{in: "CNAPS:" + strings.Repeat("1", 36), field: "clearing_member", value: strings.Repeat("1", 36)},
	}
	for _, tt := range tests {
		_, err := ParseClearingMember(tt.in)
		wantFieldError(t, err, tt.field, tt.value, ErrClearing)
	}
}

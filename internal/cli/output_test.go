package cli

import "testing"

// Amounts people read are in their units: chips with the decimals that matter and
// money in its currency, thousands grouped.
func TestAmountsForPeople(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{formatChips(87_500_000), "87.50 CHIP"},
		{formatChips(1_000_000_000_000), "1,000,000.00 CHIP"},
		{formatChips(1), "0.000001 CHIP"},
		{formatChips(0), "0.00 CHIP"},
		{formatChips(1_234_567_891), "1,234.567891 CHIP"},
		{formatChips(18_446_744_073_709_551_615), "18,446,744,073,709.551615 CHIP"},
		{formatMoney(975_700, "EUR"), "9,757.00 EUR"},
		{formatMoney(5, "EUR"), "0.05 EUR"},
		{formatMoney(1_000_000, "JPY"), "1,000,000 JPY"},
		{formatMoney(1_234_567, "KWD"), "1,234.567 KWD"},
		{formatMoney(100, "XYZ"), "100 minor units of XYZ"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

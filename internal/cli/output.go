package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/chipmint/chipmint/internal/fiat"
	"github.com/chipmint/chipmint/internal/txn"
)

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(w, "{\"error\": %q}\n", err.Error())
	}
}

// emit prints v as JSON, or calls text to print it for people.
func (g *Globals) emit(v any, text func(w io.Writer)) {
	if g.Output == "json" {
		writeJSON(g.Out, v)
		return
	}
	text(g.Out)
}

// formatChips shows base units as chips for people: thousands grouped, and the
// decimals that matter, at least two ("1,000,000.00 CHIP", "87.50 CHIP",
// "0.000001 CHIP").
func formatChips(base uint64) string {
	s := fiat.FormatDecimal(base, txn.ChipDecimals)
	dot := strings.IndexByte(s, '.')
	s = strings.TrimRight(s, "0")
	if len(s)-dot-1 < 2 {
		s += strings.Repeat("0", 2-(len(s)-dot-1))
	}
	return groupThousands(s) + " CHIP"
}

// groupThousands puts a comma between each three digits of a decimal's whole part.
func groupThousands(decimal string) string {
	whole, frac, hasFrac := strings.Cut(decimal, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}

// parseChips reads the chip amount of a flag, such as "12.5", into base units.
func parseChips(flag, s string) (uint64, error) {
	v, err := fiat.ParseDecimal(s, txn.ChipDecimals)
	if err != nil {
		return 0, usageError{fmt.Errorf("%s: %w", flag, err)}
	}
	if v == 0 {
		return 0, usageError{fmt.Errorf("%s: must be positive", flag)}
	}
	return v, nil
}

// formatMoney shows minor units in their currency, such as "100.00 EUR".
func formatMoney(minor uint64, code string) string {
	c, err := fiat.ParseCurrency(code)
	if err != nil {
		return fmt.Sprintf("%d minor units of %s", minor, code)
	}
	return groupThousands(fiat.FormatAmount(minor, c)) + " " + code
}

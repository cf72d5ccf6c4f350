package merkleprobe

import (
	"flag"
	"os"
	"testing"
)

// run makes the probe's tests and benchmarks run: they measure candidates for a
// decision, not the product, and take half a minute, so `go test ./...` leaves them out.
var run = flag.Bool("merkleprobe", false, "run the Merkle commitment probe (decision 0031)")

func TestMain(m *testing.M) {
	flag.Parse()
	if !*run {
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// Command chipmint runs and uses a chipmint ledger: nodes, keys, operators, orders,
// issues and transfers of chips. See `chipmint --help`.
package main

import (
	"os"

	"github.com/chipmint/chipmint/internal/cli"
)

func main() { os.Exit(int(cli.Main())) }

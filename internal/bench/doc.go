// Package bench measures a chipmint network as its users see it: it starts a network in
// this process (or uses one that runs), funds accounts, drives signed transactions from
// concurrent clients through the nodes' public RPC (or, for chipmint, the nodes' own
// bulk submission endpoint), follows the committed blocks and
// reports throughput, latency from submit to commit, rejections, CPU and, for purchases,
// the time from the bank credit to chips in the wallet. The same load generator drives
// its baselines on the same settings: CometBFT's example kvstore application, the
// engine's ceiling, and SignedApp, which checks one Ed25519 signature per transaction.
//
// It is a client of the chain: it never reads the ledger's state but through the RPC,
// and it must never assert a timing in a test: speed is reported, not judged.
package bench

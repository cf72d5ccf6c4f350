// Package explorer is the chain's explorer: a page for people, served by a node on its
// own API address beside the read API it calls. Home (height, supply, operators and their
// backing, recent orders), an order's life, an account's transfers and redemptions, an
// operator's attestations of its reserves, and one search box for an order id, an RF
// reference, an address or an operator.
//
// The page is plain HTML, CSS and JavaScript embedded in the binary: no build step, and
// nothing fetched from anywhere but the node that serves it (its Content-Security-Policy
// says so to the browser, and a test fails on any outside URL in the files). It reads the
// chain only through the node's JSON read API (package api's routes), exactly as any
// outside program would: it never imports the state machine. Its one package of
// chipmint's is fiat, whose frozen currency table it serves to the page as
// /currencies.json, so that amounts are written with the ledger's digits. An order's page follows the order by the read API's event stream, and by
// reading it again every few seconds where the node serves no stream.
package explorer

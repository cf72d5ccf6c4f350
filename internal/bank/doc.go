// Package bank is the sandbox bank: a small, durable HTTP service that plays a real bank
// in development, the demo and tests. It keeps accounts (IBAN, holder, currency, balance),
// books transfers between them carrying remittance information (an ISO 11649 "RF"
// creditor reference or free text), books the reversal of a transfer's credit or the
// return of a transfer to its payer, and reports the bookings as a bank does: ISO 20022
// camt.054 credit and debit notifications behind a cursor, and camt.053 statements per
// booking day. The operator's gateway talks to it exactly as it talks to a bank, through
// Client or plain HTTP.
//
// Every booking is written atomically and synced to disk (pebble) before it is
// acknowledged, so a restarted sandbox shows the same balances and the same notification
// documents, and its sequences continue where they stopped.
//
// The sandbox must never:
//   - be used with real money or real customer data: it moves numbers between its own
//     accounts and nowhere else;
//   - import the ledger, store or abciapp packages of chipmint (it stands for the world
//     outside the chain and sees nothing of it; TestBankNoChainImports keeps it so);
//   - write ISO 20022 XML itself: package camt does.
package bank

// Package issuer is the issuer service: it holds an issuer key, watches the chain for
// orders whose payment an operator confirmed, and issues their chips, on start-up
// catching up with every paid order it missed while it was down. An order of more chips
// than one issuer may issue alone (the chain's issue_approval_chips, while its issuer
// threshold is above one) is proposed once, and issued when the other issuers approve
// the proposal.
//
// It sees the chain only through package client, as an outside program: it must never
// import the ledger or the store. The chain is the guard against a double issue: an
// order issues at most once, and the service treats "already issued" as done.
package issuer

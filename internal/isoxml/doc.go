// Package isoxml holds what packages camt and pain share to read and write ISO 20022
// XML documents safely: a reader that takes a document only whole, within a bound on
// its size and nesting, in UTF-8 or the character set its XML declaration names, and
// refuses a document type declaration, an entity other than XML's five predefined
// ones, an element outside the message's namespace, a repeated attribute and a second
// occurrence of an element the message allows once; the checks of ISO 8601 dates and
// date-times (xs:date, xs:dateTime); and the writers' helpers.
//
// A Format describes one message: its namespaces, the elements whose paths carry an
// index and those that may occur once, and the package's own sentinel errors and
// error type, which every error of the reader wraps and is, so that each package keeps
// its errors while sharing the logic underneath.
//
// The package is pure: it performs no I/O beyond reading the []byte it is given, and
// never returns part of a document together with an error.
package isoxml

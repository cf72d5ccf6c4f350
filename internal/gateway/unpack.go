package gateway

import (
	"archive/zip"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/chipmint/chipmint/internal/camt"
)

// unpackLimits bound what one delivery may unpack to, so that a hostile or broken file
// cannot exhaust the gateway's memory. Bytes are counted as they are read, never taken
// from an archive's headers.
type unpackLimits struct {
	// document is the most bytes of one document: a plain file, the content of a .gz,
	// one entry of a .zip.
	document int64
	// archive is the most uncompressed bytes of all the entries of a .zip together,
	// and the largest .zip read.
	archive int64
	// entries is the most entries of a .zip, folders included.
	entries int
}

// deliveryLimits are the drop folder's limits: a document as large as the camt reader
// takes, four of them in one archive, and more entries than a bank puts in one.
var deliveryLimits = unpackLimits{document: camt.MaxInputBytes, archive: 4 * camt.MaxInputBytes, entries: 256}

// document is one camt document of a delivery, with the name it is known by: the
// file's own, or for an entry of a .zip the archive's and the entry's ("day.zip!a.xml").
type document struct {
	name string
	body []byte
}

// delivery is a delivered file's content: read from its start, or at an offset as a
// .zip is.
type delivery interface {
	io.Reader
	io.ReaderAt
}

// unpack reads the documents of the delivered file name, of size bytes: a .xml is one,
// a .gz holds one, a .zip one per entry. An error says why the file cannot be taken as
// it is; a .zip with one bad entry yields no document at all.
func unpack(name string, r delivery, size int64, lim unpackLimits) ([]document, error) {
	switch strings.ToLower(path.Ext(name)) {
	case ".xml":
		b, err := readAtMost(r, lim.document, "a document")
		if err != nil {
			return nil, err
		}
		return []document{{name: name, body: b}}, nil
	case ".gz":
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("not a readable gzip file: %w", err)
		}
		b, err := readAtMost(zr, lim.document, "content")
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return []document{{name: name, body: b}}, nil
	case ".zip":
		return unzip(name, r, size, lim)
	}
	return nil, fmt.Errorf("%q is not a .xml, .zip or .gz file", name)
}

// unzip reads every entry of a .zip as a document, once all its entries pass.
func unzip(name string, r io.ReaderAt, size int64, lim unpackLimits) ([]document, error) {
	if size > lim.archive {
		return nil, fmt.Errorf("a zip archive of %d bytes, more than the %d read", size, lim.archive)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		// An insecure path is reported below, with the entry that has it.
		return nil, fmt.Errorf("not a readable zip archive: %w", err)
	}
	if len(zr.File) > lim.entries {
		return nil, fmt.Errorf("a zip archive of %d entries, more than %d", len(zr.File), lim.entries)
	}
	var docs []document
	var total int64
	for _, f := range zr.File {
		b, isDoc, err := readEntry(f, lim.document)
		if err != nil {
			return nil, fmt.Errorf("entry %q: %w", f.Name, err)
		}
		if !isDoc {
			continue // a folder
		}
		if total += int64(len(b)); total > lim.archive {
			return nil, fmt.Errorf("the entries come to more than %d bytes uncompressed", lim.archive)
		}
		docs = append(docs, document{name: name + "!" + f.Name, body: b})
	}
	if len(docs) == 0 {
		return nil, errors.New("a zip archive with no XML document in it")
	}
	return docs, nil
}

// readEntry reads an entry of a .zip that is an XML document; isDoc is false for a
// folder.
func readEntry(f *zip.File, limit int64) (b []byte, isDoc bool, err error) {
	if err := checkEntryPath(f.Name); err != nil {
		return nil, false, err
	}
	mode := f.Mode()
	switch {
	case mode.IsDir():
		return nil, false, nil
	case mode&fs.ModeSymlink != 0:
		return nil, false, errors.New("a symbolic link")
	case !mode.IsRegular():
		return nil, false, fmt.Errorf("not a plain file (%s)", mode.Type())
	case !strings.EqualFold(path.Ext(f.Name), ".xml"):
		return nil, false, errors.New("not an XML document")
	}
	rc, err := f.Open()
	if err != nil {
		return nil, false, err
	}
	defer rc.Close()
	b, err = readAtMost(rc, limit, "content")
	return b, err == nil, err
}

// checkEntryPath refuses an entry name that could point outside the archive: empty,
// absolute, with a backslash, or with a ".." element.
func checkEntryPath(name string) error {
	switch {
	case name == "":
		return errors.New("an entry without a name")
	case strings.HasPrefix(name, "/"):
		return errors.New("an absolute path")
	case strings.Contains(name, `\`):
		return errors.New("a backslash in the path")
	case slices.Contains(strings.Split(name, "/"), ".."):
		return errors.New("a path that climbs out of the archive (..)")
	}
	return nil
}

// readAtMost reads r to its end, failing once more than limit bytes come out of it;
// what names the bytes in that error.
func readAtMost(r io.Reader, limit int64, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s of more than %d bytes", what, limit)
	}
	return b, nil
}

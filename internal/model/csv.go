package model

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
)

// EncodeCSV writes a table as CSV: a header of TableColumns, then one row
// per point in table order. Cells a spreadsheet would evaluate are escaped
// with a leading '.
func EncodeCSV(t Table) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(TableColumns); err != nil {
		return nil, err
	}
	if err := w.WriteAll(tableRows(t)); err != nil {
		return nil, fmt.Errorf("encode CSV: %w", err)
	}
	return b.Bytes(), nil
}

// DecodeCSV reads a CSV point table (header row first, columns in any
// order, a UTF-8 byte-order mark allowed). It returns the validated table,
// or a code 514 error listing every problem with its row — never a partial
// table. CSV carries no gateway; the caller supplies it.
func DecodeCSV(data []byte) (Table, []Problem, error) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = -1 // short rows read as empty cells
	header, err := r.Read()
	if err != nil {
		return Table{}, nil, TableError([]Problem{{Path: "row 1", Reason: csvReason(err)}})
	}
	var rows [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Table{}, nil, TableError([]Problem{{Path: csvErrorLine(err), Reason: csvReason(err)}})
		}
		rows = append(rows, rec)
	}
	return decodeRows(header, rows)
}

// csvErrorLine names the file line of a syntax error: a quoted cell may
// span lines, so rows and lines differ there.
func csvErrorLine(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("line %d", pe.StartLine)
	}
	return ""
}

func csvReason(err error) string {
	if errors.Is(err, io.EOF) {
		return "empty file: want a header row of " + fmt.Sprint(TableColumns)
	}
	return "not valid CSV: " + err.Error()
}

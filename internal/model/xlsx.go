package model

import (
	"bytes"
	"fmt"

	"github.com/xuri/excelize/v2"
)

// XLSXSheet is the worksheet an exported table is written to; import reads
// the workbook's first sheet, whatever its name.
const XLSXSheet = "points"

// Limits on an imported workbook: an .xlsx file is a zip, and a small one
// can unpack to gigabytes.
const (
	xlsxUnzipLimit    = 512 << 20
	xlsxUnzipXMLLimit = 64 << 20
)

// EncodeXLSX writes a table as an XLSX workbook with the same rows as
// EncodeCSV, every cell a string (escaped the same way, so a copy pasted
// into a formula cell stays inert). It streams rows, so a large table does
// not hold a cell object per value.
func EncodeXLSX(t Table) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName(f.GetSheetName(0), XLSXSheet); err != nil {
		return nil, fmt.Errorf("encode XLSX: %w", err)
	}
	sw, err := f.NewStreamWriter(XLSXSheet)
	if err != nil {
		return nil, fmt.Errorf("encode XLSX: %w", err)
	}
	if err := sw.SetRow("A1", cellsOf(TableColumns)); err != nil {
		return nil, fmt.Errorf("encode XLSX header: %w", err)
	}
	for i, row := range tableRows(t) {
		if err := sw.SetRow(fmt.Sprintf("A%d", i+2), cellsOf(row)); err != nil {
			return nil, fmt.Errorf("encode XLSX row %d: %w", i+2, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, fmt.Errorf("encode XLSX: %w", err)
	}
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		return nil, fmt.Errorf("encode XLSX: %w", err)
	}
	return b.Bytes(), nil
}

func cellsOf(row []string) []any {
	out := make([]any, len(row))
	for i, c := range row {
		out[i] = c
	}
	return out
}

// DecodeXLSX reads the first worksheet of an XLSX workbook as a point table
// with the columns of DecodeCSV, and validates it the same way. Raw cell
// values are read, so a number typed into a cell is not reformatted.
func DecodeXLSX(data []byte) (Table, []Problem, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		RawCellValue: true, UnzipSizeLimit: xlsxUnzipLimit, UnzipXMLSizeLimit: xlsxUnzipXMLLimit,
	})
	if err != nil {
		return Table{}, nil, TableError([]Problem{{Reason: "not a readable XLSX workbook: " + err.Error()}})
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return Table{}, nil, TableError([]Problem{{Reason: "the workbook has no worksheet"}})
	}
	rows, err := f.GetRows(sheets[0], excelize.Options{RawCellValue: true})
	if err != nil {
		return Table{}, nil, TableError([]Problem{{Path: "sheet " + sheets[0], Reason: err.Error()}})
	}
	if len(rows) == 0 {
		return Table{}, nil, TableError([]Problem{{Path: "row 1", Reason: "empty sheet: want a header row"}})
	}
	return decodeRows(rows[0], rows[1:])
}

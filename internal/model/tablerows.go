package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/iotos/iotos/pkg/driver"
)

// TableColumns are the columns of CSV and XLSX point tables, in export
// order: one row per point, its device's columns repeated on each row
// (docs/tables.md). A device without points is one row with empty point
// columns.
var TableColumns = []string{
	"device_id", "device_name", "driver", "device_config",
	"point_id", "name", "description", "type", "access", "unit",
	"min", "max", "default", "pattern", "deadband", "interval_ms", "expr", "config", "disabled",
}

// requiredColumns must be in every imported header; the others default to
// empty.
var requiredColumns = []string{"device_id", "device_name", "driver", "point_id", "name", "type"}

// deviceColumns belong to the device: every row of one device must agree
// on them (or leave them empty after the first row).
var deviceColumns = []string{"device_name", "driver", "device_config"}

// formulaStarts are the characters that make a spreadsheet evaluate a
// cell. An exported cell starting with one of them (or with the escape
// character itself) gets a leading ' so that opening an export never runs
// a formula planted in a name or description; import removes it again.
const formulaStarts = "=+-@\t\r'"

// escapeCell neutralises a cell that a spreadsheet would evaluate. Plain
// numbers ("-5") are left alone: they are not formulas.
func escapeCell(s string) string {
	if s == "" || !strings.ContainsRune(formulaStarts, rune(s[0])) {
		return s
	}
	if s[0] != '\'' {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return s
		}
	}
	return "'" + s
}

// unescapeCell undoes escapeCell.
func unescapeCell(s string) string { return strings.TrimPrefix(s, "'") }

// tableRows lays a table out as escaped rows of TableColumns (no header).
func tableRows(t Table) [][]string {
	var rows [][]string
	for _, dt := range t.Devices {
		dev := deviceCells(dt.Device)
		if len(dt.Points) == 0 {
			rows = append(rows, escapeRow(append(dev, make([]string, len(TableColumns)-len(dev))...)))
			continue
		}
		for _, p := range dt.Points {
			rows = append(rows, escapeRow(append(append([]string(nil), dev...), pointCells(p)...)))
		}
	}
	return rows
}

func escapeRow(r []string) []string {
	for i, c := range r {
		r[i] = escapeCell(c)
	}
	return r
}

func deviceCells(d Device) []string {
	return []string{d.ID, d.Name, d.Driver, compactJSON(d.Config)}
}

func pointCells(p Point) []string {
	return []string{
		p.ID, p.Name, p.Description, string(p.Type), string(p.Access), p.Unit,
		floatCell(p.Min), floatCell(p.Max), defaultCell(p.Default), p.Pattern,
		strconv.FormatFloat(p.Deadband, 'g', -1, 64), strconv.FormatInt(p.IntervalMS, 10),
		p.Expr, compactJSON(p.Config), strconv.FormatBool(p.Disabled),
	}
}

// compactJSON is a config cell: compact JSON, and empty for no config
// (absent or {}), which is what most rows have.
func compactJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return string(raw)
	}
	if b.String() == "{}" {
		return ""
	}
	return b.String()
}

func floatCell(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'g', -1, 64)
}

func defaultCell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// rowsDecoder builds a table from rows, collecting problems by row number
// (the header is row 1, as a spreadsheet shows it).
type rowsDecoder struct {
	col      map[string]int
	problems problems
	t        Table
	devIndex map[string]int // device ID → index in t.Devices
	devRow   map[string]int // device ID → its first row
	ptRow    map[string]int // PointPath → row
}

// decodeRows turns a header and its rows into a validated table, or a 514
// error listing every problem with its row ("row 12").
func decodeRows(header []string, rows [][]string) (Table, []Problem, error) {
	d := &rowsDecoder{devIndex: map[string]int{}, devRow: map[string]int{}, ptRow: map[string]int{}}
	if !d.header(header) {
		return Table{}, nil, TableError(d.problems.list)
	}
	for i, r := range rows {
		d.row(i+2, r)
	}
	d.validate()
	if len(d.problems.list) > 0 {
		return Table{}, nil, TableError(d.problems.list)
	}
	return d.t, nil, nil
}

func (d *rowsDecoder) header(h []string) bool {
	d.col = make(map[string]int, len(h))
	known := make(map[string]bool, len(TableColumns))
	for _, c := range TableColumns {
		known[c] = true
	}
	for i, name := range h {
		name = strings.ToLower(strings.TrimSpace(unescapeCell(strings.TrimPrefix(name, "\ufeff"))))
		switch {
		case name == "":
			d.problems.add("row 1", fmt.Sprintf("column %d", i+1), "empty column name")
		case !known[name]:
			d.problems.add("row 1", name, "unknown column (columns are %s)", strings.Join(TableColumns, ", "))
		case d.has(name):
			d.problems.add("row 1", name, "column appears twice")
		default:
			d.col[name] = i
		}
	}
	for _, c := range requiredColumns {
		if !d.has(c) {
			d.problems.add("row 1", c, "required column is missing")
		}
	}
	return len(d.problems.list) == 0
}

func (d *rowsDecoder) has(name string) bool {
	_, ok := d.col[name]
	return ok
}

// cell is a row's value of a column, unescaped; absent columns and short
// rows read as empty. Free text keeps its spaces so that it round-trips.
func (d *rowsDecoder) cell(r []string, name string) string {
	i, ok := d.col[name]
	if !ok || i >= len(r) {
		return ""
	}
	return unescapeCell(r[i])
}

// word is a structural cell (an ID, a type, a number, JSON) with stray
// spaces a spreadsheet user may have typed removed.
func (d *rowsDecoder) word(r []string, name string) string {
	return strings.TrimSpace(d.cell(r, name))
}

func (d *rowsDecoder) row(n int, r []string) {
	if blankRow(r) {
		return
	}
	path := fmt.Sprintf("row %d", n)
	devID := d.word(r, "device_id")
	if devID == "" {
		d.problems.add(path, "device_id", "required")
		return
	}
	dt := d.device(n, path, devID, r)
	ptID := d.word(r, "point_id")
	if ptID == "" {
		d.noPoint(path, r)
		return
	}
	key := PointPath(devID, ptID)
	if prev, dup := d.ptRow[key]; dup {
		d.problems.add(path, "point_id", "duplicate point ID %s in device %s (also row %d)", ptID, devID, prev)
		return
	}
	d.ptRow[key] = n
	dt.Points = append(dt.Points, d.point(path, devID, ptID, r))
}

func blankRow(r []string) bool {
	for _, c := range r {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// noPoint accepts a device-only row, but not point cells without a point ID.
func (d *rowsDecoder) noPoint(path string, r []string) {
	for _, c := range TableColumns[5:] {
		if d.word(r, c) != "" {
			d.problems.add(path, "point_id", "required when %s is given", c)
			return
		}
	}
}

// device returns the row's device, creating it on its first row and
// checking that later rows agree with it.
func (d *rowsDecoder) device(n int, path, id string, r []string) *DeviceTable {
	if i, ok := d.devIndex[id]; ok {
		dt := &d.t.Devices[i]
		first := deviceCells(dt.Device)
		for j, c := range deviceColumns {
			if v := d.cell(r, c); strings.TrimSpace(v) != "" && !sameCell(c, v, first[j+1]) {
				d.problems.add(path, c, "%q differs from %q on row %d, the device's first row", v, first[j+1], d.devRow[id])
			}
		}
		return dt
	}
	dev := Device{ID: id, Name: d.cell(r, "device_name"), Driver: d.word(r, "driver"), Enabled: true}
	dev.Config = d.jsonCell(path, "device_config", d.word(r, "device_config"))
	d.devIndex[id], d.devRow[id] = len(d.t.Devices), n
	d.t.Devices = append(d.t.Devices, DeviceTable{Device: dev})
	return &d.t.Devices[len(d.t.Devices)-1]
}

// sameCell compares device cells, JSON by value so spacing does not matter.
func sameCell(col, a, b string) bool {
	if col != "device_name" {
		a = strings.TrimSpace(a)
	}
	if col == "device_config" {
		return compactJSON(json.RawMessage(a)) == b
	}
	return a == b
}

// jsonCell reads a config cell; an empty one is the empty object, as the
// API and .tb import store "no config".
func (d *rowsDecoder) jsonCell(path, col, s string) json.RawMessage {
	if s == "" {
		return json.RawMessage("{}")
	}
	if !json.Valid([]byte(s)) {
		d.problems.add(path, col, "not valid JSON: %.60q", s)
		return json.RawMessage("{}")
	}
	if c := compactJSON(json.RawMessage(s)); c != "" {
		return json.RawMessage(c)
	}
	return json.RawMessage("{}")
}

func (d *rowsDecoder) point(path, dev, id string, r []string) Point {
	p := Point{
		ID: id, Device: dev, Name: d.cell(r, "name"), Description: d.cell(r, "description"),
		Type: driver.Type(strings.ToUpper(d.word(r, "type"))), Access: driver.Access(strings.ToLower(d.word(r, "access"))),
		Unit: d.cell(r, "unit"), Pattern: d.cell(r, "pattern"), Expr: d.cell(r, "expr"),
	}
	if p.Access == "" {
		p.Access = driver.Read
	}
	p.Min = d.optFloat(path, "min", r)
	p.Max = d.optFloat(path, "max", r)
	if v := d.optFloat(path, "deadband", r); v != nil {
		p.Deadband = *v
	}
	p.IntervalMS = d.intCell(path, "interval_ms", r)
	p.Default = d.defaultValue(path, p.Type, d.cell(r, "default"))
	p.Config = d.jsonCell(path, "config", d.word(r, "config"))
	p.Disabled = d.boolCell(path, "disabled", r)
	return p
}

func (d *rowsDecoder) optFloat(path, col string, r []string) *float64 {
	s := d.word(r, col)
	if s == "" {
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		d.problems.add(path, col, "%.40q is not a number", s)
		return nil
	}
	return &v
}

func (d *rowsDecoder) intCell(path, col string, r []string) int64 {
	s := d.word(r, col)
	if s == "" {
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		d.problems.add(path, col, "%.40q is not a whole number", s)
	}
	return v
}

func (d *rowsDecoder) boolCell(path, col string, r []string) bool {
	switch strings.ToLower(d.word(r, col)) {
	case "", "false", "0", "no":
		return false
	case "true", "1", "yes":
		return true
	}
	d.problems.add(path, col, "%.40q is not true or false", d.word(r, col))
	return false
}

// defaultValue types a default cell by the point's type; one that does not
// convert is reported here, with its row.
func (d *rowsDecoder) defaultValue(path string, t driver.Type, s string) any {
	if s == "" {
		return nil
	}
	if !t.Valid() {
		return s // the type itself is reported by validation
	}
	if t != driver.String {
		s = strings.TrimSpace(s)
	}
	v, err := driver.Convert(t, s)
	if err != nil {
		d.problems.add(path, "default", "%.40q is not a valid %s", s, t)
		return nil
	}
	return v
}

// validate runs the table checks every import goes through and reports
// their problems by row. The gateway's identity comes from the gateway the
// table is imported into, so its problems are not the file's.
func (d *rowsDecoder) validate() {
	seen := make(map[Problem]bool, len(d.problems.list))
	for _, p := range d.problems.list {
		seen[Problem{Path: p.Path, Field: p.Field}] = true
	}
	for _, p := range ValidateTable(d.t) {
		if p.Path == "" {
			continue
		}
		p.Path, p.Field = d.rowOf(p.Path, p.Field)
		if !seen[Problem{Path: p.Path, Field: p.Field}] {
			d.problems.list = append(d.problems.list, p)
		}
	}
}

// rowOf maps a table path to its row and a model field to its column.
func (d *rowsDecoder) rowOf(path, field string) (string, string) {
	if n, ok := d.ptRow[path]; ok {
		if field == "id" {
			field = "point_id"
		}
		return fmt.Sprintf("row %d", n), field
	}
	dev := strings.TrimPrefix(path, DevicePath(""))
	if n, ok := d.devRow[dev]; ok {
		switch field {
		case "id", "name", "config":
			field = "device_" + field
		}
		return fmt.Sprintf("row %d", n), field
	}
	return path, field
}

package api

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/iotos/iotos/internal/codes"
	"github.com/iotos/iotos/internal/model"
)

// download GETs an exported table file and checks its headers.
func (e *env) download(path, contentType string) []byte {
	e.t.Helper()
	req, _ := http.NewRequest("GET", e.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != contentType {
		e.t.Fatalf("GET %s: HTTP %d %s: %.200s", path, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=") {
		e.t.Fatalf("Content-Disposition %q", cd)
	}
	return body
}

func TestTableCSVAndXLSXRoundTrip(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.seed()
	base := "/api/v1/gateways/" + s.gw + "/table"
	// A name a spreadsheet would run as a formula.
	ptPath := "/api/v1/gateways/" + s.gw + "/devices/" + s.dev + "/points/" + s.temp
	var pt map[string]any
	e.ok(e.do("GET", ptPath, e.token, nil), &pt)
	pt["description"] = "=cmd|' /C calc'!A0"
	for _, k := range []string{"id", "gateway", "device", "created_at", "updated_at"} {
		delete(pt, k)
	}
	e.ok(e.do("PUT", ptPath, e.token, pt), nil)
	var before json.RawMessage
	e.ok(e.do("GET", base, e.token, nil), &before)

	csv := e.download(base+"?format=csv", "text/csv; charset=utf-8")
	if !strings.Contains(string(csv), "'=cmd|") || !strings.HasPrefix(string(csv), strings.Join(model.TableColumns, ",")) {
		t.Fatalf("CSV export:\n%s", csv)
	}
	xlsx := e.download(base+"?format=xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

	for format, body := range map[string][]byte{"csv": csv, "xlsx": xlsx} {
		var rep struct {
			DryRun bool `json:"dry_run"`
			Points struct {
				Added, Changed, Removed []string
				Unchanged               int
			} `json:"points"`
		}
		e.ok(e.do("PUT", base+"?format="+format+"&dry_run=1", e.token, body), &rep)
		if !rep.DryRun || rep.Points.Unchanged != 4 || len(rep.Points.Changed)+len(rep.Points.Added)+len(rep.Points.Removed) != 0 {
			t.Fatalf("%s dry run of an unchanged export: %+v", format, rep)
		}
		e.ok(e.do("PUT", base+"?format="+format, e.token, body), &rep)
		if rep.Points.Unchanged != 4 {
			t.Fatalf("%s import of an unchanged export: %+v", format, rep)
		}
	}
	var after json.RawMessage
	e.ok(e.do("GET", base, e.token, nil), &after)
	if !sameJSONBytes(t, before, after) {
		t.Fatalf("table changed by CSV/XLSX round trips\nbefore %s\nafter  %s", before, after)
	}

	// An edit in the CSV lands.
	edited := strings.Replace(string(csv), "'=cmd|' /C calc'!A0", "boiler temperature", 1)
	e.ok(e.do("PUT", base+"?format=csv", e.token, edited), nil)
	var p struct {
		Description string `json:"description"`
	}
	e.ok(e.do("GET", "/api/v1/gateways/"+s.gw+"/devices/"+s.dev+"/points/"+s.temp, e.token, nil), &p)
	if p.Description != "boiler temperature" {
		t.Fatalf("description after import %q", p.Description)
	}
}

func sameJSONBytes(t *testing.T, a, b []byte) bool {
	t.Helper()
	var av, bv any
	if json.Unmarshal(a, &av) != nil || json.Unmarshal(b, &bv) != nil {
		t.Fatal("not JSON")
	}
	ja, _ := json.Marshal(av)
	jb, _ := json.Marshal(bv)
	return string(ja) == string(jb)
}

func TestTableCSVRejectedWithRows(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.seed()
	base := "/api/v1/gateways/" + s.gw + "/table"
	bad := "device_id,device_name,driver,point_id,name,type\n" +
		"1a2b3c4d,d,simulator,0a01,p,INT\n" +
		"1a2b3c4d,d,simulator,0a02,p,COMPLEX\n"
	r := e.do("PUT", base+"?format=csv", e.token, bad)
	e.want(r, codes.TableNotValid, http.StatusBadRequest)
	var ps []model.Problem
	if err := json.Unmarshal(r.Data, &ps); err != nil {
		t.Fatal(err)
	}
	rows := map[string]bool{}
	for _, p := range ps {
		rows[p.Path+" "+p.Field] = true
	}
	if !rows["row 3 type"] || !rows["row 3 name"] {
		t.Fatalf("problems %+v", ps)
	}
	// Nothing changed: the seeded device is still the only one.
	var devs []map[string]any
	e.ok(e.do("GET", "/api/v1/gateways/"+s.gw+"/devices", e.token, nil), &devs)
	if len(devs) != 1 {
		t.Fatalf("devices after a rejected import: %v", devs)
	}
	e.want(e.do("PUT", base+"?format=xlsx", e.token, "not a workbook"), codes.TableNotValid, http.StatusBadRequest)
	e.want(e.do("GET", base+"?format=csv", "", nil), codes.AccountNotRegister, http.StatusUnauthorized)
	e.want(e.do("GET", "/api/v1/gateways/"+strings.Repeat("0", 32)+"/table?format=csv", e.token, nil), codes.IONodeNotExist, http.StatusNotFound)
}

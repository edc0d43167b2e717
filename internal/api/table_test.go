package api

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/iotos/iotos/internal/codes"
)

func tb(gw, typ string) string {
	return fmt.Sprintf(`{"id": %q, "name": "site", "properties": {
  "2b2b2b2b": {"name": "meter", "config": {"driver": "simulator", "param": {}}, "data": {
    "0b01": {"name": "power", "valuetype": %q, "readwrite": "1", "refreshcycle": "1000", "config": {"param": {}}},
    "0b02": {"name": "power", "valuetype": "INT", "readwrite": "0", "refreshcycle": "0", "config": {"param": {}}}
  }}}}`, gw, typ)
}

func TestTableImportExport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.seed()
	path := "/api/v1/gateways/" + s.gw + "/table"
	r := e.do("PUT", path, e.token, tb(s.gw, "COMPLEX"))
	e.want(r, codes.TableNotValid, http.StatusBadRequest)
	var problems []map[string]string
	e.ok(reply{Status: 200, Data: r.Data}, &problems)
	if len(problems) < 2 {
		t.Fatalf("want every problem (type and duplicate name), got %v", problems)
	}
	valid := strings.Replace(tb(s.gw, "FLOAT"), `"0b02": {"name": "power"`, `"0b02": {"name": "energy"`, 1)
	var rep struct {
		DryRun  bool `json:"dry_run"`
		Devices struct {
			Added   []string `json:"added"`
			Removed []string `json:"removed"`
		} `json:"devices"`
	}
	e.ok(e.do("PUT", path+"?dry_run=1", e.token, valid), &rep)
	if !rep.DryRun || len(rep.Devices.Added) != 1 || rep.Devices.Removed[0] != s.dev {
		t.Fatalf("dry run %+v", rep)
	}
	e.ok(e.do("GET", "/api/v1/gateways/"+s.gw+"/devices/"+s.dev, e.token, nil), nil) // still there
	e.ok(e.do("PUT", path, e.token, valid), &rep)
	e.want(e.do("GET", "/api/v1/gateways/"+s.gw+"/devices/"+s.dev, e.token, nil), codes.DeviceNotExist, http.StatusNotFound)
	var doc map[string]any
	e.ok(e.do("GET", path+"?format=tb", e.token, nil), &doc)
	props, _ := doc["properties"].(map[string]any)
	if _, ok := props["2b2b2b2b"]; !ok || len(props) != 1 {
		t.Fatalf("export %v", doc)
	}
	e.want(e.do("GET", path+"?format=xml", e.token, nil), codes.ArgError, http.StatusBadRequest)
	e.want(e.do("PUT", path, e.token, "{not json"), codes.TableNotValid, http.StatusBadRequest)
}

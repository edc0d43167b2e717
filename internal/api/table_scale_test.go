package api

import (
	"strings"
	"testing"
)

// TestTableImportTakesLargeFiles sends a table file larger than a small
// limit would allow (a gateway of a million points is about 120 MiB);
// JSON whitespace makes it large without making it slow to check.
func TestTableImportTakesLargeFiles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.seed()
	body := `{"name": "site",` + strings.Repeat(" ", 40<<20) + `"properties": {}}`
	var rep struct {
		DryRun  bool `json:"dry_run"`
		Devices struct {
			Removed []string `json:"removed"`
		} `json:"devices"`
	}
	e.ok(e.do("PUT", "/api/v1/gateways/"+s.gw+"/table?dry_run=1", e.token, body), &rep)
	if !rep.DryRun || len(rep.Devices.Removed) != 1 || rep.Devices.Removed[0] != s.dev {
		t.Fatalf("dry run of a 40 MiB table: %+v", rep)
	}
}

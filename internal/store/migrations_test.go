package store

import (
	"testing"
	"testing/fstest"
)

func TestLoadMigrationsInVersionOrder(t *testing.T) {
	fsys := fstest.MapFS{
		"m/0010_later.sql": {Data: []byte("B")},
		"m/0002_first.sql": {Data: []byte("A")},
	}
	got, err := LoadMigrations(fsys, "m")
	if err != nil || len(got) != 2 || got[0].Version != 2 || got[0].SQL != "A" || got[1].Name != "0010_later.sql" {
		t.Fatalf("LoadMigrations = %+v, %v", got, err)
	}
	if _, err := LoadMigrations(fstest.MapFS{"m/init.sql": {}}, "m"); err == nil {
		t.Fatal("a migration without a number loaded")
	}
}

package main

import "context"

func init() { benchScenarios["ingest"] = benchIngest }

func benchIngest(ctx context.Context, args []string) error { return nil }

package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"guanjia"
	"guanjia/open311"
)

// Open311 clients from the command line: the same as the admin API
// (/api/v1/open311/clients). The key is printed once, as the last word.

const open311Usage = "usage: guanjia open311 add-client --name NAME [--services CODE,CODE] | revoke --name NAME"

func (m *Main) open311Command(ctx context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "add-client" && args[0] != "revoke") {
		return guanjia.Errorf(guanjia.EINVALID, open311Usage)
	}
	fs := flag.NewFlagSet("open311 "+args[0], flag.ContinueOnError)
	name := fs.String("name", "", "the client's name")
	services := fs.String("services", "", "service codes it may file, comma-separated; none: every one")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *name == "" {
		return guanjia.FieldError(guanjia.EINVALID, "name", "name is required")
	}
	if err := m.openDB(ctx); err != nil {
		return err
	}
	svc := open311.NewService(m.DB.Open311, m.DB.Catalog, nil, "", m.Now)
	if args[0] == "revoke" {
		if _, err := svc.RevokeClient(ctx, *name); err != nil {
			return err
		}
		fmt.Fprintf(m.Out, "open311 client %s revoked\n", *name)
		return nil
	}
	var codes []string
	for _, c := range strings.Split(*services, ",") {
		if c = strings.TrimSpace(c); c != "" {
			codes = append(codes, c)
		}
	}
	c, key, err := svc.AddClient(ctx, *name, codes)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Out, "open311 client %s added (id %d); its api_key, shown only now: %s\n", c.Name, c.ID, key)
	return nil
}

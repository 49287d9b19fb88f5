package poi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"guanjia"
	"guanjia/geo"
)

// Importers may import places: administrators and departments' staff.
var Importers = []guanjia.Role{guanjia.RoleAdmin, guanjia.RoleDepartment}

// Upload is a file of places as staff send it.
type Upload struct {
	Source      string // the list it replaces; "" = the file name without its extension
	Filename    string
	Format      Format // "" = from the file name's extension
	CoordSystem geo.CoordSystem
	Data        []byte
}

// Report answers an upload: the import, or why nothing was imported.
type Report struct {
	Import
	Rows   int        // places in the file
	Errors []RowError // every bad row, in file order; non-empty means nothing was stored
}

// Import checks an upload row by row. Any bad row rejects the whole file:
// the report lists every bad row and nothing is stored. A good file
// replaces its source's places in one transaction.
func (s *Service) Import(ctx context.Context, who guanjia.Claims, up Upload) (*Report, error) {
	if !slices.Contains(Importers, who.Role) {
		return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "only administrators and departments import places")
	}
	if up.CoordSystem != geo.WGS84 && up.CoordSystem != geo.GCJ02 {
		return nil, guanjia.FieldError(guanjia.EINVALID, "coord_system", "declare the file's coordinate system: wgs84 or gcj02")
	}
	if len(up.Data) > MaxFileBytes {
		return nil, guanjia.FieldError(guanjia.ETOOLARGE, "file", "the file is larger than %d MB: split it", MaxFileBytes>>20)
	}
	ext := strings.ToLower(path.Ext(up.Filename))
	if up.Format == "" {
		switch ext {
		case ".csv":
			up.Format = FormatCSV
		case ".geojson", ".json":
			up.Format = FormatGeoJSON
		}
	}
	parse := map[Format]func([]byte) ([]Record, []RowError, error){FormatCSV: ParseCSV, FormatGeoJSON: ParseGeoJSON}[up.Format]
	if parse == nil {
		return nil, guanjia.FieldError(guanjia.EINVALID, "format", "format must be csv or geojson")
	}
	up.Source = strings.TrimSpace(up.Source)
	if up.Source == "" {
		up.Source = strings.TrimSpace(strings.TrimSuffix(path.Base(up.Filename), path.Ext(up.Filename)))
	}
	if up.Source == "" || up.Source == "." || up.Source == "/" {
		return nil, guanjia.FieldError(guanjia.EINVALID, "source", "name the source the file replaces")
	}
	if utf8.RuneCountInString(up.Source) > maxSource {
		return nil, guanjia.FieldError(guanjia.EINVALID, "source", "the source is longer than %d characters", maxSource)
	}
	recs, errs, err := parse(up.Data)
	if err != nil {
		return nil, err
	}
	rows := len(recs) + distinctLines(errs) // a row the parser refused has no record
	places, badRows := validate(recs, up.CoordSystem, up.Source)
	errs = append(errs, badRows...)
	slices.SortStableFunc(errs, func(a, b RowError) int { return a.Line - b.Line })
	sum := sha256.Sum256(up.Data)
	rep := &Report{Import: Import{Source: up.Source, Filename: up.Filename, Format: up.Format, CoordSystem: up.CoordSystem,
		FileHash: hex.EncodeToString(sum[:]), Places: len(places), CreatedAt: s.Now().UTC()},
		Rows: rows, Errors: errs}
	if len(errs) > 0 {
		rep.Places = 0
		return rep, nil
	}
	if len(places) == 0 {
		return nil, guanjia.FieldError(guanjia.EINVALID, "file", "the file has no places")
	}
	if who.UserID != 0 {
		id := who.UserID
		rep.ImportedBy = &id
	}
	if who.Role == guanjia.RoleDepartment {
		if who.UnitCode == "" {
			return nil, guanjia.Errorf(guanjia.EFORBIDDEN, "your account belongs to no department")
		}
		rep.Department = who.UnitCode
	}
	if err := s.Store.ReplaceSource(ctx, &rep.Import, places); err != nil {
		return nil, err
	}
	return rep, nil
}

func distinctLines(errs []RowError) int {
	lines := map[int]bool{}
	for _, e := range errs {
		lines[e.Line] = true
	}
	return len(lines)
}

// Imports answers the latest imports, newest first.
func (s *Service) Imports(ctx context.Context, limit int) ([]*Import, error) {
	return s.Store.ListImports(ctx, limit)
}

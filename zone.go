package guanjia

import "time"

// ChinaTime is the civil time every date and clock time a citizen or an
// official reads is written in: deadlines, days of figures, numbers with a
// year, certificates. It is a fixed UTC+8 because China has kept no daylight
// saving since 1991, and a fixed zone needs no tzdata in the image.
var ChinaTime = time.FixedZone("CST", 8*3600)

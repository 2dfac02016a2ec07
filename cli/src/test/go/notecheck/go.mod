module custody.dev/notecheck

go 1.19

require golang.org/x/mod v0.7.0

// Offline build against Debian's golang-golang-x-mod-dev (installed by ./test).
replace golang.org/x/mod => /usr/share/gocode/src/golang.org/x/mod

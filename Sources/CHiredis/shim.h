#ifndef ATPD_CHIREDIS_SHIM_H
#define ATPD_CHIREDIS_SHIM_H
// hiredis 0.14 API (Debian libhiredis-dev): synchronous contexts, pipelines, reply reader.
#include <hiredis/hiredis.h>
#endif

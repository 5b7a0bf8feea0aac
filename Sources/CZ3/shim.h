// The one header SwiftPM needs to see libz3's C API (z3.h pulls in z3_api.h and friends).
#ifndef CZ3_SHIM_H
#define CZ3_SHIM_H
#include <z3.h>
#endif

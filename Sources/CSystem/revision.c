#include "CSystem.h"

#ifndef CCP_REVISION
#define CCP_REVISION "unknown"
#endif

const char *ccp_revision(void) { return CCP_REVISION; }

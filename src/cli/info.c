/* gopm info: placeholder until the core reader lands. */
#include "cli/cli.h"

int gpm_cmd_info(int argc, char **argv)
{
	return gpm_cli_usage("info", "not implemented yet");
}

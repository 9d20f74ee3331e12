libgopm_a_SOURCES +=

"""Pure logic over the model: derived values, the expected state of a workbook, rules, ranks."""

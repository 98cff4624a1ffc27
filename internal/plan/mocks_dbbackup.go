package plan

// The database backup component declares Azure Data Protection resources by
// type token; their ARM namespace is spelled Microsoft.DataProtection.
func init() {
	azureNamespaces["dataprotection"] = "Microsoft.DataProtection"
}

func init() {
	azureNameInputs["dataprotection:BackupVault"] = "vaultName"
}

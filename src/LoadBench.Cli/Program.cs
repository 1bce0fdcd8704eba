using LoadBench.Cli;

return await LoadBenchCommand.Create().Parse(args).InvokeAsync();

// Placeholder until the edge-proxy daemon lands (issue 2).
int main() { return 1; }

// Lower bound of loopback TCP fan-out cost on this machine: N connected pairs in one process; time
// writing one 300-byte message to each sender and reading it from each receiver (epoll), no framework.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/epoll.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}
int main(int argc,char**argv){int n=atoi(argv[1]);int rounds=5;
 int l=socket(AF_INET,SOCK_STREAM,0);struct sockaddr_in a={0};a.sin_family=AF_INET;a.sin_addr.s_addr=htonl(INADDR_LOOPBACK);
 bind(l,(void*)&a,sizeof a);listen(l,4096);socklen_t al=sizeof a;getsockname(l,(void*)&a,&al);
 int*s=malloc(n*sizeof(int)),*r=malloc(n*sizeof(int));
 for(int i=0;i<n;i++){s[i]=socket(AF_INET,SOCK_STREAM,0);if(connect(s[i],(void*)&a,sizeof a)){perror("connect");return 1;}
  r[i]=accept(l,0,0);if(r[i]<0){perror("accept");return 1;}int one=1;setsockopt(s[i],IPPROTO_TCP,TCP_NODELAY,&one,sizeof one);fcntl(r[i],F_SETFL,O_NONBLOCK);}
 int ep=epoll_create1(0);for(int i=0;i<n;i++){struct epoll_event e={.events=EPOLLIN,.data.u32=i};epoll_ctl(ep,EPOLL_CTL_ADD,r[i],&e);}
 char msg[300];memset(msg,'x',300);char buf[4096];struct epoll_event ev[1024];
 for(int k=0;k<rounds;k++){double t0=now();for(int i=0;i<n;i++)write(s[i],msg,300);double t1=now();
  int got=0;while(got<n){int m=epoll_wait(ep,ev,1024,1000);for(int j=0;j<m;j++){got+=read(r[ev[j].data.u32],buf,4096)>0;}}
  double t2=now();printf("n=%d write-all %.1f ms (%.2f us each), read-all %.1f ms (%.2f us each), total %.1f ms\n",n,(t1-t0)*1e3,(t1-t0)*1e6/n,(t2-t1)*1e3,(t2-t1)*1e6/n,(t2-t0)*1e3);}
 return 0;}
